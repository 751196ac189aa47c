import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HOUR, T0, tempDir, walk } from '../helpers.js';
import { runChild } from '../support/kill-after-checkpoint.js';
import { snapshotRows } from './duck.js';
import { changeStream, reference } from './changes.js';

const JOB = fileURLToPath(new URL('./cdc-crash-job.ts', import.meta.url));
const KILLS = Number(process.env.WEIR_CDC_CRASH_KILLS ?? 3);
const RATE = 1000;
// a killed run gets through its first checkpoint plus < 0.9 s at RATE: sized so the kills cannot reach the end
const CHANGES = Number(process.env.WEIR_CDC_CRASH_CHANGES ?? Math.max(6000, KILLS * 2000 + 1500));
const SEED = 42;

describe('CDC upsert crash safety', () => {
  it(`SIGKILLed ${KILLS} times: every hourly snapshot equals the oracle, DuckDB reads each, nothing hidden or unfolded left`, async () => {
    const out = await tempDir();
    const chk = await tempDir();
    const args = [out, chk, String(SEED), String(CHANGES)];
    let kills = 0;
    while (kills < KILLS) {
      const r = await runChild(JOB, [...args, String(RATE)], chk, { killAfterMs: Math.floor(Math.random() * 900) });
      if (r.signal === 'SIGKILL') kills++;
      else if (r.code === 0) break; // finished before the kill: more changes would be needed
      else throw new Error(`child failed: ${r.stderr}`);
    }
    expect(kills).toBe(KILLS);
    const before = await walk(out);
    expect(before.visible.length).toBeGreaterThan(0); // the killed attempts committed deltas or snapshots
    const last = await runChild(JOB, [...args, String(RATE * 50)], chk);
    expect(last.code, last.stderr).toBe(0);

    const { truth } = changeStream({ seed: SEED, changes: CHANGES, keys: 300, start: T0, stepMs: 2_000 });
    const { visible, hidden, dirs } = await walk(out);
    expect(hidden).toEqual([]);
    const hours = Math.ceil((truth.at(-1)!.ts - T0 + 1) / HOUR);
    const expected = Array.from({ length: hours }, (_, h) => `products/dt=2024-05-01/hour=${String(h).padStart(2, '0')}/snapshot.parquet`);
    expect(visible).toEqual(expected);
    for (const [h, f] of expected.entries()) expect(await snapshotRows(join(out, f)), f).toEqual(reference(truth, T0 + (h + 1) * HOUR));
    for (const d of dirs.filter((x) => x.includes('hour='))) expect(JSON.parse(await readFile(join(out, d, '_SUCCESS'), 'utf8'))).toMatchObject({ partition: d.slice('products/'.length) });
  }, 120_000);
});
