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

export interface CheckpointMetadata {
  formatVersion: 1;
  id: number;
  kind: CheckpointKind;
  jobName: string;
  createdAtMs: number;
  steps: Record<string, StepSnapshot>;
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
  /** Latest completed checkpoint (savepoints excluded). */
  latest(): Promise<CompletedCheckpoint | undefined>;
  /** A completed checkpoint or savepoint by directory. */
  load(path: string): Promise<CompletedCheckpoint>;
  /** Files of a step in a loaded checkpoint. */
  filesAt(path: string, step: string): StateFiles;
  /** Highest checkpoint id ever attempted here (completed or not), or 0. */
  highestAttemptedId(): Promise<number>;
  /** Keep the newest `keep` completed checkpoints; delete older ones and failed attempts below them. */
  retain(keep: number): Promise<void>;
}

const CHK = /^chk-(\d+)$/;

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
    const ids = (await this.ids()).sort((a, b) => b - a);
    for (const id of ids) {
      const dir = this.dirOf(id, 'checkpoint');
      try {
        return await this.load(dir);
      } catch {
        // no metadata: an attempt that never completed
      }
    }
    return undefined;
  }

  async load(path: string): Promise<CompletedCheckpoint> {
    const raw = await readFile(join(path, METADATA_FILE), 'utf8');
    const metadata = JSON.parse(raw) as CheckpointMetadata;
    if (metadata.formatVersion !== 1) throw new Error(`unsupported checkpoint format ${String(metadata.formatVersion)} at ${path}`);
    return { metadata, path, sizeBytes: 0 };
  }

  async highestAttemptedId(): Promise<number> {
    let max = 0;
    for (const id of await this.ids()) max = Math.max(max, id);
    try {
      for (const name of await readdir(join(this.dir, 'savepoints'))) {
        const m = /^sp-(\d+)$/.exec(name);
        if (m) max = Math.max(max, Number(m[1]));
      }
    } catch {
      // no savepoints yet
    }
    return max;
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

  private async ids(): Promise<number[]> {
    try {
      const names = await readdir(this.dir);
      return names.map((n) => CHK.exec(n)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1]));
    } catch {
      return [];
    }
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
