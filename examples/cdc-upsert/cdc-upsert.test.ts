import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCdcUpsert } from './cdc-job.js';

it('cdc-upsert: every hourly snapshot equals the oracle (DuckDB), every order priced as of its hour', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-cdc-example-'));
  try {
    const r = await runCdcUpsert(dir);
    expect(r.problems).toEqual([]);
    expect(r.snapshots).toBe(12);
    expect(r.orders).toBeGreaterThan(250);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 120_000);
