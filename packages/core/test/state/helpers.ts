import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classicLevelStateBackend, heapStateBackend, LocalStateFiles, rocksDbStateBackend } from '../../src/state/index.js';
import type { KeyedStateBackend, LevelStateBackendOptions, StateBackendFactory } from '../../src/state/index.js';

export type BackendKind = KeyedStateBackend['kind'];
export const BACKEND_KINDS: BackendKind[] = ['heap', 'classic-level', 'rocksdb'];

export function factoryFor(kind: BackendKind, options: LevelStateBackendOptions = {}): StateBackendFactory {
  switch (kind) {
    case 'heap':
      return heapStateBackend();
    case 'classic-level':
      return classicLevelStateBackend(options);
    case 'rocksdb':
      return rocksDbStateBackend(options);
  }
}

/** A manually advanced clock for TTL tests. */
export class TestClock {
  constructor(public time = 1_000_000) {}
  readonly now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

/** Temp directories and backends of one test, cleaned up by `dispose`. */
export class StateFixture {
  private readonly dirs: string[] = [];
  private readonly backends: KeyedStateBackend[] = [];

  async dir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'weir-state-test-'));
    this.dirs.push(dir);
    return dir;
  }

  async backend(kind: BackendKind, options: LevelStateBackendOptions & { now?: () => number } = {}): Promise<KeyedStateBackend> {
    const workDir = join(await this.dir(), 'work');
    const { now, ...levelOptions } = options;
    const backend = await factoryFor(kind, levelOptions).create({ operatorId: 'op', subtask: 0, workDir, ...(now ? { now } : {}) });
    this.backends.push(backend);
    return backend;
  }

  async files(): Promise<LocalStateFiles> {
    return new LocalStateFiles(join(await this.dir(), 'chk'));
  }

  async dispose(): Promise<void> {
    for (const b of this.backends) await b.close();
    for (const d of this.dirs) await rm(d, { recursive: true, force: true });
  }
}

/** Prefetches (awaiting only when needed, like the executor) and sets the current key. */
export async function useKey(backend: KeyedStateBackend, key: string): Promise<void> {
  const pending = backend.prefetch([key]);
  if (pending !== undefined) await pending;
  backend.setCurrentKey(key);
}

export async function collectKeys(backend: KeyedStateBackend, stateName: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const k of backend.keys(stateName)) keys.push(k);
  return keys.sort();
}
