/**
 * formats: envelope decode rate (protobuf Order messages with nested struct/list/map, Timestamp,
 * int64, through `EnvelopeDecoder.decodeBatch`), and Parquet rows/s per engine from decoded
 * messages (Arrow batches built with `ArrowBatchBuilder`, then encoded) plus file size against
 * parquetjs-lite on the same rows. Each file is read back with DuckDB and its row count checked.
 * Every engine encodes the same WEIR_BENCH_PARQUET_ROWS rows (50k: parquetjs-lite is slow) in the
 * same rounds, rotating order, after a warm-up round; parquetjs-lite writes snappy (it has no zstd),
 * the others zstd, and the size ratio compares the default engine with it.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import { ArrowBatchBuilder, DEFAULT_PARQUET_ENGINE, EnvelopeDecoder, PARQUET_ENGINES, SchemaRegistry, encodeRecord, type ParquetEngineName } from '@weir/formats';
import type { BenchResult } from './support/result.js';
import { ROUNDS, size } from './support/sizes.js';
import { alternate, comparison, logRounds, measured } from './support/stats.js';

const DECODE_N = size('WEIR_BENCH_DECODE', 500_000, 50_000);
const PARQUET_N = size('WEIR_BENCH_PARQUET_ROWS', 50_000, 10_000);
const BATCH = 10_000;
const BASELINE_ENGINE = 'parquetjs-lite';

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
    const decodeRates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      let decoded = 0;
      const t0 = performance.now();
      while (decoded < DECODE_N) decoded += decoder.decodeBatch(inputs).records.length;
      decodeRates.push(decoded / ((performance.now() - t0) / 1000));
    }

    // messages for the Parquet runs
    const messages = Array.from({ length: PARQUET_N }, (_, i) => decoder.decodeBatch([distinct[i % distinct.length]!]).records[0]!.value);
    const builder = new ArrowBatchBuilder(snapshot.typeOf('orders')!);
    const bytes = new Map<ParquetEngineName, number>();
    /** Rows/s of one engine from decoded messages to Parquet bytes (Arrow build included). */
    const measure = async (engine: ParquetEngineName): Promise<number> => {
      const compression = PARQUET_ENGINES[engine].compressions.includes('zstd') ? 'zstd' : 'snappy';
      const start = performance.now();
      const batches: arrow.RecordBatch[] = [];
      for (let i = 0; i < PARQUET_N; i += BATCH) batches.push(builder.build(messages.slice(i, Math.min(PARQUET_N, i + BATCH))));
      const encoded = await PARQUET_ENGINES[engine].encode(new arrow.Table(batches), { compression });
      const seconds = (performance.now() - start) / 1000;
      const file = join(dir, `${engine}.parquet`);
      await writeFile(file, encoded);
      const count = await duckCount(file);
      if (count !== PARQUET_N) throw new Error(`${engine}: DuckDB read ${count} rows, wrote ${PARQUET_N}`);
      bytes.set(engine, encoded.length);
      return PARQUET_N / seconds;
    };
    const engines = Object.keys(PARQUET_ENGINES) as ParquetEngineName[];
    const rates = await alternate(Object.fromEntries(engines.map((e) => [e, () => measure(e)])) as Record<ParquetEngineName, () => Promise<number>>, { rounds: ROUNDS });

    logRounds('parquet', rates, 'rows/s');
    const results: BenchResult[] = [measured('formats.pb-decode-per-s', 'records/s', decodeRates)];
    for (const engine of engines) {
      const id = `files.parquet-rows-per-s.${engine}`;
      results.push(
        engine === DEFAULT_PARQUET_ENGINE
          ? comparison(id, 'rows/s', rates[engine], rates[BASELINE_ENGINE], { baselineLabel: BASELINE_ENGINE })
          : measured(id, 'rows/s', rates[engine]),
      );
    }
    results.push({ id: 'files.parquet-bytes-ratio', value: Number((bytes.get(DEFAULT_PARQUET_ENGINE)! / bytes.get(BASELINE_ENGINE)!).toFixed(3)), unit: 'ratio' });
    registry.close();
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
