import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type SinkContext } from '@weir/core';
import { afterEach } from 'vitest';
import { LocalFileStorage, listCommittedFiles } from '../src/index.js';

const dirs: string[] = [];

/** A fresh temp directory removed after the test. */
export async function tempDir(prefix = 'weir-files-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

export function sinkContext(o: Partial<SinkContext> = {}): SinkContext {
  return { stepName: 'files', subtask: 0, parallelism: 1, restoredCheckpointId: undefined, nextCheckpointId: 1, logger: silentLogger, checkpointIntervalMs: 10_000, checkpointTimeoutMs: 600_000, ...o };
}

/** Every file under root (relative paths), split into visible data files and hidden ones (metadata dir `_weir` excluded). */
export async function walk(root: string): Promise<{ visible: string[]; hidden: string[]; dirs: string[] }> {
  const visible: string[] = [];
  const hidden: string[] = [];
  const dirsOut: string[] = [];
  const rec = async (rel: string): Promise<void> => {
    const entries = await readdir(join(root, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (p === '_weir') continue;
        dirsOut.push(p);
        await rec(p);
      } else if (e.name.startsWith('.') || (e.name.startsWith('_') && e.name !== '_SUCCESS')) hidden.push(p);
      else if (e.name !== '_SUCCESS') visible.push(p);
    }
  };
  await rec('');
  return { visible: visible.sort(), hidden: hidden.sort(), dirs: dirsOut.sort() };
}

/** The records a reader sees: per partition directory, the committed files' JSON lines. */
export async function readTable<T = unknown>(root: string): Promise<Map<string, T[]>> {
  const storage = new LocalFileStorage(root);
  const { dirs: all } = await walk(root);
  const out = new Map<string, T[]>();
  for (const dir of all) {
    const files = await listCommittedFiles(storage, dir);
    const rows: T[] = [];
    for (const f of files) {
      const text = await readFile(join(root, dir, f), 'utf8');
      for (const line of text.split('\n')) if (line) rows.push(JSON.parse(line) as T);
    }
    if (files.length > 0) out.set(dir, rows);
  }
  return out;
}

export async function allRecords<T = unknown>(root: string): Promise<T[]> {
  return [...(await readTable<T>(root)).values()].flat();
}

export const HOUR = 3_600_000;
/** 2024-05-01T00:00:00Z */
export const T0 = Date.UTC(2024, 4, 1);
