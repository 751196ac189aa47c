/**
 * formats: envelope decode rate (protobuf Order messages with nested struct/list/map, Timestamp,
 * int64, through `EnvelopeDecoder.decodeBatch`), and Parquet rows/s per engine from decoded
 * messages (Arrow batches built with `ArrowBatchBuilder`, then encoded) plus file size against
 * parquetjs-lite on the same rows. Each file is read back with DuckDB and its row count checked.
 * parquetjs-lite (snappy; it has no zstd) runs on WEIR_BENCH_BASELINE_ROWS rows (50k) because it is
 * slow; the size ratio compares the default engine (zstd) with it on those same rows.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import { ArrowBatchBuilder, DEFAULT_PARQUET_ENGINE, EnvelopeDecoder, PARQUET_ENGINES, SchemaRegistry, encodeRecord, type ParquetEngineName } from '@weir/formats';
import type { BenchResult } from './support/result.js';

const DECODE_N = Number(process.env.WEIR_BENCH_DECODE ?? 500_000);
const PARQUET_N = Number(process.env.WEIR_BENCH_PARQUET_ROWS ?? 200_000);
const BASELINE_N = Number(process.env.WEIR_BENCH_BASELINE_ROWS ?? 50_000);
const BATCH = 10_000;

const ORDER_PROTO = `
syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";
enum Status { UNKNOWN = 0; NEW = 1; SHIPPED = 2; }
message Address { string city = 1; int32 zip = 2; }
message Item { string sku = 1; int32 qty = 2; double price = 3; }
message Order {
  int64 id = 1; string customer = 2; Status status = 3; google.protobuf.Timestamp created = 4;
  Address address = 5; repeated Item items = 6; repeated string tags = 7; map<string, int64> counters = 8;
  double amount = 9; bool paid = 10;
}`;

function order(i: number): Record<string, unknown> {
  return {
    id: String(1_000_000_000_000 + i),
    customer: `customer-${i % 5000}`,
    status: i % 3,
    created: { seconds: 1_700_000_000 + Math.floor(i / 10), nanos: (i % 1000) * 1_000_000 },
    address: { city: `city-${i % 40}`, zip: 10_000 + (i % 900) },
    items: Array.from({ length: 1 + (i % 3) }, (_, k) => ({ sku: `sku-${(i + k) % 800}`, qty: 1 + k, price: 9.99 * (k + 1) })),
    tags: i % 2 === 0 ? ['web', `c${i % 10}`] : ['app'],
    counters: { views: String(i % 100), clicks: String(i % 7) },
    amount: (i % 10_000) / 100,
    paid: i % 4 !== 0,
  };
}

async function duckCount(file: string): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const rows = (await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${file}')`)).getRowObjectsJS();
    return rows[0]!.n as number;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export async function run(): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-bench-formats-'));
  try {
    await writeFile(join(dir, 'order.proto'), ORDER_PROTO);
    const registry = await SchemaRegistry.open({ dir, streams: { orders: 'shop.Order' } });
    const snapshot = registry.current();
    const distinct = Array.from({ length: 10_000 }, (_, i) => encodeRecord(snapshot, 'orders', order(i)));

    // decode: envelopes -> protobufjs messages, in batches
    const decoder = new EnvelopeDecoder(snapshot);
    const inputs = Array.from({ length: BATCH }, (_, i) => distinct[i % distinct.length]!);
    decoder.decodeBatch(inputs); // warm-up
    let decoded = 0;
    const t0 = performance.now();
    while (decoded < DECODE_N) decoded += decoder.decodeBatch(inputs).records.length;
    const decodePerS = decoded / ((performance.now() - t0) / 1000);

    // messages for the Parquet runs
    const messages = Array.from({ length: PARQUET_N }, (_, i) => decoder.decodeBatch([distinct[i % distinct.length]!]).records[0]!.value);
    const builder = new ArrowBatchBuilder(snapshot.typeOf('orders')!);
    const measure = async (engine: ParquetEngineName, rows: number) => {
      const compression = PARQUET_ENGINES[engine].compressions.includes('zstd') ? 'zstd' : 'snappy';
      const start = performance.now();
      const batches: arrow.RecordBatch[] = [];
      for (let i = 0; i < rows; i += BATCH) batches.push(builder.build(messages.slice(i, Math.min(rows, i + BATCH))));
      const bytes = await PARQUET_ENGINES[engine].encode(new arrow.Table(batches), { compression });
      const seconds = (performance.now() - start) / 1000;
      const file = join(dir, `${engine}-${rows}.parquet`);
      await writeFile(file, bytes);
      const count = await duckCount(file);
      if (count !== rows) throw new Error(`${engine}: DuckDB read ${count} rows, wrote ${rows}`);
      return { rowsPerS: rows / seconds, bytes: bytes.length };
    };

    const baseline = await measure('parquetjs-lite', BASELINE_N);
    const results: BenchResult[] = [{ id: 'formats.pb-decode-per-s', value: decodePerS, unit: 'records/s' }];
    let defaultSmall = 0;
    for (const engine of ['parquet-wasm', 'hyparquet-writer'] as const) {
      const big = await measure(engine, PARQUET_N);
      const entry: BenchResult = { id: `files.parquet-rows-per-s.${engine}`, value: big.rowsPerS, unit: 'rows/s' };
      if (engine === DEFAULT_PARQUET_ENGINE) {
        entry.baseline = baseline.rowsPerS;
        entry.ratio = big.rowsPerS / baseline.rowsPerS;
        defaultSmall = (await measure(engine, BASELINE_N)).bytes;
      }
      results.push(entry);
    }
    results.push({ id: 'files.parquet-rows-per-s.parquetjs-lite', value: baseline.rowsPerS, unit: 'rows/s' });
    results.push({ id: 'files.parquet-bytes-ratio', value: defaultSmall / baseline.bytes, unit: 'ratio' });
    registry.close();
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
