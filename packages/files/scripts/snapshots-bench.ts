/**
 * Speeds of the CDC upsert table and the dimension snapshot table on the local disk:
 * compaction (base snapshot + deltas folded into a new snapshot), loading a snapshot into
 * classic-level, multi-get lookups, and the two Parquet readers on the same snapshot file.
 * Run: node --conditions=weir-source --import tsx packages/files/scripts/snapshots-bench.ts
 * Env: ROWS (table rows, default 200k), CHANGES (changes in the hour, default 50k).
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { silentLogger, type SinkContext } from '@weir/core';
import { changesToParquet } from '../src/cdc/arrow-rows.js';
import { cdcUpsertSink, openDimensionTable } from '../src/parquet.js';
import { parquetRowBatches } from '../src/snapshots/parquet-rows.js';

const ROWS = Number(process.env.ROWS ?? 200_000);
const CHANGES = Number(process.env.CHANGES ?? 50_000);
const T0 = Date.UTC(2024, 4, 1);
const HOUR = 3_600_000;
const schema = new arrow.Schema([new arrow.Field('name', new arrow.Utf8(), true), new arrow.Field('price', new arrow.Float64(), true), new arrow.Field('stock', new arrow.Int32(), true)]);
interface Change { key: string; op: 'insert' | 'update' | 'delete'; ts: number; name: string; price: number; stock: number }
const ctx: SinkContext = { stepName: 'bench', subtask: 0, parallelism: 1, restoredCheckpointId: undefined, nextCheckpointId: 1, logger: silentLogger, checkpointIntervalMs: 10_000, checkpointTimeoutMs: 600_000 };
const ms = (t: number) => performance.now() - t;
const rate = (n: number, t: number) => `${Math.round(n / (t / 1000)).toLocaleString('en')}/s`;

const dir = await mkdtemp(join(tmpdir(), 'weir-snap-bench-'));
try {
  const sink = cdcUpsertSink<Change>({ storage: dir, table: 't', schema, keyOf: (c) => c.key, opOf: (c) => c.op, rowOf: (c) => ({ name: c.name, price: c.price, stock: c.stock }), timestampOf: (c) => c.ts });
  const writer = await sink.createWriter(ctx);
  const committer = await sink.createCommitter(ctx);
  const mk = (i: number, h: number, op: Change['op']): Change => ({ key: `k${i}`, op, ts: T0 + h * HOUR + (i % HOUR), name: `name-${i}-${h}`, price: i / 100, stock: i % 1000 });
  // hour 0: every row inserted; compacted when the watermark passes 01:00
  let t = performance.now();
  await writer.write(Array.from({ length: ROWS }, (_, i) => mk(i, 0, 'insert')), []);
  await writer.onWatermark!(T0 + HOUR);
  await committer.commit(1, await writer.prepareCommit(1));
  console.log(`hour 0: ${ROWS} inserts -> delta + first snapshot: ${ms(t).toFixed(0)} ms (${rate(ROWS, ms(t))})`);
  // hour 1: CHANGES updates/deletes of random rows, in 5 checkpoints, then compaction over the 200k base
  for (let cp = 0; cp < 5; cp++) {
    await writer.write(Array.from({ length: CHANGES / 5 }, (_, j) => mk((j * 7919 + cp * 104_729) % ROWS, 1, j % 10 === 0 ? 'delete' : 'update')), []);
    await committer.commit(2 + cp, await writer.prepareCommit(2 + cp));
  }
  await writer.onWatermark!(T0 + 2 * HOUR);
  const deltas = await writer.prepareCommit(7);
  t = performance.now();
  await committer.commit(7, deltas);
  console.log(`compaction of hour 1: base ${ROWS} rows + ${CHANGES} changes in 5 deltas -> snapshot: ${ms(t).toFixed(0)} ms (${rate(ROWS + CHANGES, ms(t))} rows folded)`);

  // the two readers on one snappy snapshot (hyparquet decodes only snappy/none without add-ons)
  const rows = Array.from({ length: ROWS }, (_, i) => ({ key: `k${i}`, ts: T0, row: { name: `name-${i}`, price: i / 100, stock: i % 1000 } }));
  for (const compression of ['snappy', 'zstd'] as const) {
    const bytes = await changesToParquet(schema, rows, false, { compression });
    await writeFile(join(dir, `s-${compression}.parquet`), bytes);
    t = performance.now();
    let n = 0;
    for (const b of parquetRowBatches(bytes)) n += b.length;
    const wasm = ms(t);
    let hyp = 'n/a (codec)';
    if (compression === 'snappy') {
      const { parquetReadObjects } = (await import('hyparquet')) as { parquetReadObjects: (o: { file: ArrayBuffer }) => Promise<unknown[]> };
      t = performance.now();
      const objs = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
      hyp = `${ms(t).toFixed(0)} ms (${rate(objs.length, ms(t))})`;
    }
    console.log(`read ${n} rows to objects (${compression}, ${(bytes.length / 1e6).toFixed(1)} MB): parquet-wasm ${wasm.toFixed(0)} ms (${rate(n, wasm)}); hyparquet ${hyp}`);
  }

  // dimension table: load the hour-1 snapshot, then multi-get lookups in batches of 256
  const dim = await openDimensionTable<{ _key: string }>({ storage: dir, table: 't', keyOf: (r) => r._key, stateDir: join(dir, 'dim'), asOf: 'end' });
  t = performance.now();
  await dim.get('k1', T0 + 2 * HOUR);
  console.log(`dimension snapshot load: ${dim.stats.rowsLoaded} rows into classic-level in ${ms(t).toFixed(0)} ms (${rate(dim.stats.rowsLoaded, ms(t))})`);
  const LOOKUPS = 100_000;
  t = performance.now();
  for (let i = 0; i < LOOKUPS; i += 256) await dim.multiGet(Array.from({ length: 256 }, (_, j) => dim.keyAt(`k${(i + j) * 13 % ROWS}`, T0 + 2 * HOUR + j)));
  console.log(`dimension lookups: ${LOOKUPS} keys in multi-gets of 256: ${ms(t).toFixed(0)} ms (${rate(LOOKUPS, ms(t))})`);
  await dim.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
