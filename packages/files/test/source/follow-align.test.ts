import { Pipeline, memorySink, silentLogger } from '@weir/core';
import { expect, it } from 'vitest';
import { fileSource, partitionTimeWatermarks, type Row } from '../../src/index.js';
import { tempDir } from '../helpers.js';
import { events, HOUR, T0, writeTables } from './tables.js';

it('without `to` the source follows the table: hours announced after it started are read when their _SUCCESS appears', async () => {
  const dir = await tempDir();
  const evs = events({ a: [0, 1, 2, 3] }, 60);
  await writeTables(dir, evs.filter((e) => e.ts < T0 + 2 * HOUR), ['a']);
  const out = memorySink<Row>();
  const pipeline = new Pipeline({ name: 'follow', checkpoints: { dir: `${dir}/follow-checkpoints`, intervalMs: 50 }, logger: silentLogger });
  pipeline.source('a', fileSource({ storage: `${dir}/tables`, tables: ['a'], from: T0, pollIntervalMs: 20, columns: ['id', 'ts'] }), { watermarks: partitionTimeWatermarks<Row>((r) => r.ts as number) }).sink('out', out);
  const job = pipeline.start();
  const until = async (n: number) => {
    for (let i = 0; i < 400 && out.committedCount() < n; i++) await new Promise((r) => setTimeout(r, 25));
  };
  await until(120);
  expect(out.committedCount()).toBe(120);
  // a later run of the writer adds hours 2 and 3 (its fresh committer announces from its first watermark on)
  const later = evs.filter((e) => e.ts >= T0 + 2 * HOUR);
  await writeTables(dir, later, ['a'], undefined, undefined, 'second-write');
  await until(evs.length);
  await job.stop({ mode: 'cancel' });
  expect(out.committed.map((r) => r.id)).toEqual(evs.map((e) => e.id));
}, 60_000);

it('watermark alignment keeps a sparse table from racing ahead of a dense one', async () => {
  const dir = await tempDir();
  const hours = [0, 1, 2, 3, 4, 5, 6, 7];
  // per hour: 'sparse' has 5 rows, 'dense' 400 (the reader takes about one batch per table in turn)
  await writeTables(dir, [...events({ sparse: hours }, 5), ...events({ dense: hours }, 400).map((e) => ({ ...e, id: e.id + 1_000_000 }))].sort((x, y) => x.ts - y.ts), ['sparse', 'dense'], undefined, 1000);
  const drift = async (align: boolean): Promise<number> => {
    const seen = { sparse: -1, dense: -1 };
    let worst = 0;
    const strategy = partitionTimeWatermarks<Row>((r) => r.ts as number);
    const pipeline = new Pipeline({ name: `align-${align}`, logger: silentLogger });
    pipeline
      .source('t', fileSource({ storage: `${dir}/tables`, tables: ['sparse', 'dense'], from: T0, to: T0 + hours.length * HOUR, batchSize: 20, recordOf: (row, table) => ({ ...row, table }) }), {
        watermarks: align ? strategy.withAlignment('tables', HOUR, 1) : strategy,
      })
      .asyncMap('slow', async (r: Row) => {
        await new Promise((res) => setImmediate(res));
        const h = Math.floor(((r.ts as number) - T0) / HOUR);
        seen[r.table as 'sparse' | 'dense'] = h;
        if (seen.dense >= 0) worst = Math.max(worst, seen.sparse - seen.dense);
        return r;
      }, { concurrency: 1 })
      .sink('out', memorySink());
    expect((await pipeline.run()).outcome).toBe('finished');
    return worst;
  };
  // the control shows the race the alignment prevents (sparse reads all 8 hours while dense is in its first)
  expect(await drift(false)).toBeGreaterThanOrEqual(5);
  // aligned: within the drift (1 h) plus the hour being read, plus one alignment update of latency on a loaded machine
  expect(await drift(true)).toBeLessThanOrEqual(3);
}, 60_000);
