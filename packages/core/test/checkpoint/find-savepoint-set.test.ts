import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'vitest';
import { localCheckpointStorage } from '@weir/core';
import { History, historyCases } from './savepoint-set-history.js';

// The savepoint-set search over local directories (one per instance, as on a shared volume).
// The same histories run on S3 in @weir/s3's tests.
describe('findSavepointSet on local checkpoint directories', () => {
  const roots: string[] = [];
  afterEach(async () => {
    for (const r of roots.splice(0)) await rm(r, { recursive: true, force: true });
  });
  for (const c of historyCases) {
    it(c.name, async () => {
      const root = await mkdtemp(join(tmpdir(), 'weir-sp-set-'));
      roots.push(root);
      await c.run(new History((i) => localCheckpointStorage(join(root, `instance-${i}`))));
    });
  }
});
