import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { rocksDbStateBackend } from '../../src/state/index.js';

vi.mock('@nxtedition/rocksdb', () => {
  throw new Error('Cannot find module');
});

describe('rocksdb backend without its optional dependency', () => {
  it('fails with an explanatory error', async () => {
    const root = await mkdtemp(join(tmpdir(), 'weir-rocksdb-missing-'));
    try {
      const factory = rocksDbStateBackend();
      expect(factory.kind).toBe('rocksdb');
      await expect(factory.create({ operatorId: 'op', subtask: 0, workDir: join(root, 'work') })).rejects.toThrow(
        /optional dependency @nxtedition\/rocksdb.*npm install @nxtedition\/rocksdb/s,
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
