/**
 * CDC upsert: price and stock changes of a product catalogue (insert / update / delete, each with
 * a unique change id and a millisecond timestamp), delivered at least once and out of order, are
 * deduped by change id, ordered per product, and upserted into a Parquet table with one
 * snapshot per hour (`catalogue/dt=…/hour=…/snapshot.parquet`: the catalogue at the hour's end).
 * Then orders are priced from those snapshots as of each order's time (a dimension snapshot
 * table over the CDC output). The run checks its own output: DuckDB reads every snapshot and
 * each must equal the catalogue built by applying the unique changes in timestamp order; every
 * order's price must be the catalogue's at the start of the order's hour.
 * `node --conditions=weir-source --import tsx examples/cdc-upsert/cdc-job.ts [outDir]`
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import { LATE_DATA, Pipeline, WatermarkStrategies, collectionSource, generatorSource, memorySink } from '@weir/core';
import { cdcUpsertSink, openDimensionTable, type ChangeOp } from '@weir/files/parquet';
import { asyncLookup, dedupe, orderByTime } from '@weir/operators';

export interface Change {
  changeId: string;
  sku: string;
  op: ChangeOp;
  price: number;
  stock: number;
  ts: number;
}

const HOUR = 3_600_000;
const START = Date.UTC(2026, 0, 1);
export const CHANGES = 4_000;
const SKUS = 120;

/** Change n of the catalogue (pure): every 10 s; a SKU's first change inserts it, every 6th later one deletes it. */
function changeAt(n: number, exists: boolean): Change {
  const sku = `sku-${(n * 7919) % SKUS}`;
  const op: ChangeOp = !exists ? 'insert' : n % 6 === 0 ? 'delete' : 'update';
  return { changeId: `ch-${n}`, sku, op, price: 1 + ((n * 37) % 500) / 10, stock: (n * 13) % 90, ts: START + n * 10_000 };
}

/** The truth in timestamp order, and the delivery: neighbours swapped, every 9th change again 3 records later. */
export function catalogueChanges(): { truth: Change[]; delivered: Change[] } {
  const live = new Set<string>();
  const truth: Change[] = [];
  for (let n = 0; n < CHANGES; n++) {
    const sku = `sku-${(n * 7919) % SKUS}`;
    const c = changeAt(n, live.has(sku));
    if (c.op === 'delete') live.delete(sku);
    else live.add(sku);
    truth.push(c);
  }
  const delivered: Change[] = [];
  for (let n = 0; n < CHANGES; n += 2) delivered.push(...truth.slice(n, n + 2).reverse());
  for (let n = CHANGES - 1 - ((CHANGES - 1) % 9); n >= 0; n -= 9) delivered.splice(Math.min(n + 3, delivered.length), 0, { ...truth[n]! });
  return { truth, delivered };
}

/** The oracle: the catalogue after applying the unique changes with ts < `before` in timestamp order. */
export function catalogueAt(truth: readonly Change[], before: number): Map<string, Change> {
  const table = new Map<string, Change>();
  for (const c of truth) {
    if (c.ts >= before) break;
    if (c.op === 'delete') table.delete(c.sku);
    else table.set(c.sku, c);
  }
  return table;
}

const schema = new arrow.Schema([new arrow.Field('price', new arrow.Float64(), true), new arrow.Field('stock', new arrow.Int32(), true)]);

export interface CdcExampleResult {
  snapshots: number;
  orders: number;
  problems: string[];
}

export async function runCdcUpsert(dir: string): Promise<CdcExampleResult> {
  const { truth, delivered } = catalogueChanges();
  const problems: string[] = [];

  // 1. changes -> dedupe -> order per SKU -> hourly Parquet snapshots
  const ingest = new Pipeline({ name: 'cdc-upsert', checkpoints: { dir: join(dir, 'checkpoints'), intervalMs: 200 } });
  const ordered = ingest
    .source('changes', generatorSource<Change>({ splits: 1, recordsPerSplit: delivered.length, ratePerSecond: 20_000, batchSize: 100, generate: (_s, o) => delivered[o]! }), {
      watermarks: WatermarkStrategies.forBoundedOutOfOrderness<Change>(30_000, (c) => c.ts),
    })
    .keyBy((c) => c.changeId)
    .process('dedupe', dedupe<Change>({ ttlMs: HOUR }))
    .keyBy((c) => c.sku)
    .process('order', orderByTime<Change>());
  const late = memorySink<unknown>();
  ordered.sideOutput(LATE_DATA).sink('late', late);
  ordered.sink('catalogue', cdcUpsertSink<Change>({ storage: join(dir, 'tables'), table: 'catalogue', schema, keyOf: (c) => c.sku, opOf: (c) => c.op, rowOf: (c) => ({ price: c.price, stock: c.stock }) }));
  const result = await ingest.run();
  if (result.outcome !== 'finished') problems.push(`ingest ended ${result.outcome}`);
  if (late.committed.length > 0) problems.push(`${late.committed.length} changes late`);

  // 2. DuckDB reads every snapshot; each equals the oracle at its hour's end
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const hours = Math.ceil((truth.at(-1)!.ts - START + 1) / HOUR);
  for (let h = 0; h < hours; h++) {
    const start = START + h * HOUR;
    const file = join(dir, 'tables/catalogue', new Date(start).toISOString().replace(/^(\d{4}-\d\d-\d\d)T(\d\d).*$/, 'dt=$1/hour=$2'), 'snapshot.parquet');
    const rows = (await conn.runAndReadAll(`SELECT _key, price, stock FROM read_parquet('${file}') ORDER BY _key`)).getRowObjectsJS();
    const expected = [...catalogueAt(truth, start + HOUR).values()].sort((a, b) => (a.sku < b.sku ? -1 : 1)).map((c) => ({ _key: c.sku, price: c.price, stock: c.stock }));
    if (JSON.stringify(rows) !== JSON.stringify(expected)) problems.push(`snapshot of hour ${h} differs from the oracle (${rows.length} rows, expected ${expected.length})`);
  }
  conn.closeSync();
  db.closeSync();

  // 3. orders priced as of their time from the snapshots (a snapshot describes its hour's end)
  const catalogue = await openDimensionTable<{ _key: string; price: number; stock: number }>({ storage: join(dir, 'tables'), table: 'catalogue', keyOf: (r) => r._key, stateDir: join(dir, 'catalogue-lookup'), asOf: 'end' });
  const orders = Array.from({ length: 300 }, (_, i) => ({ order: i, sku: `sku-${(i * 31) % SKUS}`, ts: START + HOUR + ((i * 104_729) % (hours - 1)) * HOUR + ((i * 7_777) % HOUR) }))
    .filter((o) => o.ts < START + hours * HOUR)
    .sort((a, b) => a.ts - b.ts);
  const price = asyncLookup<(typeof orders)[number], string, { price: number }, { order: number; price: number | null }>({
    keyOf: (o) => catalogue.keyAt(o.sku, o.ts),
    multiGet: catalogue.multiGet,
    combine: (o, row) => ({ order: o.order, price: row?.price ?? null }),
  });
  const enrich = new Pipeline({ name: 'price-orders' });
  const priced = memorySink<{ order: number; price: number | null }>();
  enrich.source('orders', collectionSource(orders)).asyncMap('price', price.fn, { concurrency: 32 }).sink('priced', priced);
  await enrich.run();
  await catalogue.close();
  for (const [i, p] of priced.committed.entries()) {
    const o = orders[i]!;
    const expected = catalogueAt(truth, o.ts - (o.ts % HOUR)).get(o.sku)?.price ?? null;
    if (p.order !== o.order || p.price !== expected) problems.push(`order ${o.order} at ${new Date(o.ts).toISOString()}: price ${p.price}, expected ${expected}`);
  }
  if (priced.committed.length !== orders.length) problems.push(`${priced.committed.length} of ${orders.length} orders priced`);
  return { snapshots: hours, orders: orders.length, problems };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'weir-cdc-'));
  const r = await runCdcUpsert(dir);
  console.log(`${r.snapshots} hourly snapshots, ${r.orders} orders priced, output in ${dir}`);
  for (const p of r.problems) console.error(`MISMATCH: ${p}`);
  process.exitCode = r.problems.length === 0 ? 0 : 1;
}
