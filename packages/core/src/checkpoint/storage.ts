/**
 * Where checkpoints live. A checkpoint is a directory of step files plus `_metadata.json`,
 * written last through a temp file and rename: a checkpoint without metadata never
 * happened. Checkpoints hold state only, never configuration.
 */

import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepSnapshot, CheckpointKind } from '../runtime/barrier.js';
import { LocalStateFiles } from '../state/local-state-files.js';
import type { StateFiles } from '../state/types.js';
import { pathExists } from '../util/path-exists.js';

export const METADATA_FILE = '_metadata.json';

/** The metadata format this Weir writes; it reads every version from 1 up to this one. */
export const CHECKPOINT_FORMAT_VERSION = 2;

export interface CheckpointMetadata {
  /** 1: before step kinds and drain markers; 2: current. Newer versions are refused, never guessed at. */
  formatVersion: 1 | 2;
  id: number;
  kind: CheckpointKind;
  jobName: string;
  createdAtMs: number;
  steps: Record<string, StepSnapshot>;
  /** What kind of step wrote each entry of `steps` (e.g. `keyedProcess:window`), checked on restore. */
  stepKinds?: Record<string, string>;
  /**
   * Set on the final checkpoint of a drain: every timer and window already fired with the MAX
   * watermark, so restoring from it would emit those results again.
   */
  drained?: boolean;
  /** The instance that wrote it and the instance count of its run (absent before key groups: one instance). */
  subtask?: number;
  parallelism?: number;
  /** Number of key groups of the job; fixed for the job's life (a restore with another is refused). */
  maxParallelism?: number;
  /** Version of each broadcast value in effect from this checkpoint on (information only: never restored). */
  broadcasts?: Record<string, number>;
}

export interface CompletedCheckpoint {
  metadata: CheckpointMetadata;
  /** Directory of the checkpoint (pass it to `restoreFrom` to resume from it). */
  path: string;
  sizeBytes: number;
}

export interface CheckpointStorage {
  /** Files of one step in checkpoint `id`. */
  filesFor(id: number, kind: CheckpointKind, step: string): StateFiles;
  /** Publish atomically; returns the completed checkpoint. */
  publish(metadata: CheckpointMetadata): Promise<CompletedCheckpoint>;
  /** Remove the files of an attempt that did not complete. */
  discard(id: number, kind: CheckpointKind): Promise<void>;
  /**
   * The newest completed checkpoint or savepoint (by id: ids only grow across both kinds).
   * A savepoint taken by a suspend is newer than the checkpoints before it and its output is
   * committed, so it must win over them.
   */
  latest(): Promise<CompletedCheckpoint | undefined>;
  /** A completed checkpoint or savepoint by directory. */
  load(path: string): Promise<CompletedCheckpoint>;
  /**
   * Every completed savepoint here, oldest first (by id). Optional: savepoint-set discovery
   * (`findSavepointSet`) needs it; the local and the S3 storage have it.
   */
  listSavepoints?(): Promise<CompletedCheckpoint[]>;
  /** Files of a step in a loaded checkpoint. */
  filesAt(path: string, step: string): StateFiles;
  /** Highest checkpoint id ever attempted here (completed or not), or 0. */
  highestAttemptedId(): Promise<number>;
  /** Keep the newest `keep` completed checkpoints; delete older ones and failed attempts below them. */
  retain(keep: number): Promise<void>;
}

const CHK = /^chk-(\d+)$/;
const SP = /^sp-(\d+)$/;

export class LocalCheckpointStorage implements CheckpointStorage {
  constructor(readonly dir: string) {}

  private dirOf(id: number, kind: CheckpointKind): string {
    return kind === 'savepoint' ? join(this.dir, 'savepoints', `sp-${id}`) : join(this.dir, `chk-${id}`);
  }

  filesFor(id: number, kind: CheckpointKind, step: string): StateFiles {
    return new LocalStateFiles(join(this.dirOf(id, kind), safeName(step)));
  }

  filesAt(path: string, step: string): StateFiles {
    return new LocalStateFiles(join(path, safeName(step)));
  }

  async publish(metadata: CheckpointMetadata): Promise<CompletedCheckpoint> {
    const dir = this.dirOf(metadata.id, metadata.kind);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `${METADATA_FILE}.tmp`);
    await writeFile(tmp, JSON.stringify(metadata));
    await rename(tmp, join(dir, METADATA_FILE));
    return { metadata, path: dir, sizeBytes: await dirSize(dir) };
  }

  async discard(id: number, kind: CheckpointKind): Promise<void> {
    await rm(this.dirOf(id, kind), { recursive: true, force: true });
  }

  async latest(): Promise<CompletedCheckpoint | undefined> {
    const candidates = [...(await this.ids()).map((id) => ({ id, kind: 'checkpoint' as const })), ...(await this.savepointIds()).map((id) => ({ id, kind: 'savepoint' as const }))];
    candidates.sort((a, b) => b.id - a.id);
    for (const c of candidates) {
      const dir = this.dirOf(c.id, c.kind);
      // no metadata: an attempt that never completed
      if (!(await pathExists(join(dir, METADATA_FILE)))) continue;
      return this.load(dir);
    }
    return undefined;
  }

  async load(path: string): Promise<CompletedCheckpoint> {
    return { metadata: await readMetadata(path), path, sizeBytes: 0 };
  }

  async listSavepoints(): Promise<CompletedCheckpoint[]> {
    const out: CompletedCheckpoint[] = [];
    for (const id of (await this.savepointIds()).sort((a, b) => a - b)) {
      const dir = this.dirOf(id, 'savepoint');
      if (await pathExists(join(dir, METADATA_FILE))) out.push(await this.load(dir));
    }
    return out;
  }

  async highestAttemptedId(): Promise<number> {
    return Math.max(0, ...(await this.ids()), ...(await this.savepointIds()));
  }

  async retain(keep: number): Promise<void> {
    const ids = (await this.ids()).sort((a, b) => b - a);
    let completed = 0;
    for (const id of ids) {
      const dir = this.dirOf(id, 'checkpoint');
      const done = await pathExists(join(dir, METADATA_FILE));
      if (done) completed++;
      if (completed > keep || (!done && completed >= 1)) await rm(dir, { recursive: true, force: true });
    }
  }

  private ids(): Promise<number[]> {
    return numberedDirs(this.dir, CHK);
  }

  private savepointIds(): Promise<number[]> {
    return numberedDirs(join(this.dir, 'savepoints'), SP);
  }
}

/** Thrown when a checkpoint cannot be read as one: missing, unreadable, or of an unknown format. */
export class CheckpointFormatError extends Error {}

/** Read and check `_metadata.json`: an unknown version is refused with a clear message, never misread. */
export async function readMetadata(path: string): Promise<CheckpointMetadata> {
  let raw: string;
  try {
    raw = await readFile(join(path, METADATA_FILE), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CheckpointFormatError(
      code === 'ENOENT' ? `no completed checkpoint at ${path}: ${METADATA_FILE} is missing (a checkpoint without it never completed)` : `cannot read checkpoint at ${path}: ${String(err)}`,
    );
  }
  return parseCheckpointMetadata(raw, path);
}

/**
 * Parse and check checkpoint metadata read from `where` (a directory or an object-store URI):
 * invalid JSON or an unknown format version is refused with a clear message, never misread.
 * For checkpoint storages other than the local one.
 */
export function parseCheckpointMetadata(raw: string, where: string): CheckpointMetadata {
  let metadata: CheckpointMetadata;
  try {
    metadata = JSON.parse(raw) as CheckpointMetadata;
  } catch (err) {
    throw new CheckpointFormatError(`checkpoint metadata at ${where} is not valid JSON: ${String(err)}`);
  }
  const v = (metadata as { formatVersion?: unknown }).formatVersion;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > CHECKPOINT_FORMAT_VERSION) {
    throw new CheckpointFormatError(
      `checkpoint at ${where} has format version ${JSON.stringify(v)}; this Weir reads versions 1 to ${CHECKPOINT_FORMAT_VERSION}. ` +
        'It was written by a newer or different program: run a Weir that supports it, or restore from another checkpoint.',
    );
  }
  return metadata;
}

async function numberedDirs(dir: string, pattern: RegExp): Promise<number[]> {
  try {
    return (await readdir(dir)).map((n) => pattern.exec(n)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1]));
  } catch {
    return [];
  }
}

function safeName(step: string): string {
  return step.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}


async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    total += entry.isDirectory() ? await dirSize(p) : (await stat(p)).size;
  }
  return total;
}

/** Checkpoints in a local directory (what `checkpoints.dir` uses), for code that reads storages itself (`findSavepointSet`). */
export function localCheckpointStorage(dir: string): CheckpointStorage {
  return new LocalCheckpointStorage(dir);
}
