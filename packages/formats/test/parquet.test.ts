import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ArrowBatchBuilder,
  DEFAULT_PARQUET_ENGINE,
  EnvelopeDecoder,
  PARQUET_ENGINES,
  SchemaRegistry,
  encodeRecord,
  selectParquetEngine,
  toParquet,
  writeParquetFile,
  type ParquetCompression,
  type ParquetEngineName,
} from '@weir/formats';
import { ORDER_PROTO_V2, duckdb, sampleOrder, tempDir, writeSchemas } from './helpers.js';
import { writeFile } from 'node:fs/promises';

const ROWS = 300;
const STATUS = ['UNKNOWN', 'NEW', 'SHIPPED'];

/** What DuckDB must read back for sampleOrder(i), computed from the input, not from Arrow. */
function expectedRow(i: number) {
  const o = sampleOrder(i) as any;
  return {
    id: BigInt(o.id),
    customer: o.customer,
    status: STATUS[o.status],
    created_us: BigInt(o.created.seconds) * 1_000_000n + BigInt(Math.floor(o.created.nanos / 1000)),
    address: o.address ?? null,
    items: o.items,
    tags: o.tags,
    counters: Object.entries(o.counters as Record<string, string>)
      .map(([key, value]) => ({ key, value: BigInt(value) }))
      .sort((a, b) => a.key.localeCompare(b.key)),
    big: BigInt(o.big),
    blob: [...(o.blob as Uint8Array)],
    paid: o.paid,
    score: o.score,
  };
}

async function orderBatches(): Promise<{ builder: ArrowBatchBuilder; batches: ReturnType<ArrowBatchBuilder['build']>[] }> {
  const dir = await tempDir();
  await writeSchemas(dir);
  const snap = (await SchemaRegistry.open({ dir })).current();
  const { records } = new EnvelopeDecoder(snap).decodeBatch(Array.from({ length: ROWS }, (_, i) => encodeRecord(snap, 'orders', sampleOrder(i))));
  const builder = new ArrowBatchBuilder(snap.typeOf('orders')!);
  const values = records.map((r) => r.value);
  return { builder, batches: [builder.build(values.slice(0, 120)), builder.build(values.slice(120))] };
}

async function readBack(file: string) {
  const rows = await duckdb(
    `SELECT id, customer, status, epoch_us(created) AS created_us, address, items, tags, map_entries(counters) AS counters, big, blob, paid, score
     FROM read_parquet('${file}') ORDER BY id`,
  );
  return rows.map((r) => ({
    ...r,
    counters: (r.counters as Array<{ key: string; value: bigint }>).slice().sort((a, b) => a.key.localeCompare(b.key)),
    blob: [...(r.blob as Uint8Array)],
  }));
}

const CASES: Array<[ParquetEngineName, ParquetCompression]> = [
  ['parquet-wasm', 'zstd'],
  ['parquet-wasm', 'snappy'],
  ['hyparquet-writer', 'zstd'],
  ['hyparquet-writer', 'snappy'],
  ['parquetjs-lite', 'snappy'],
];

describe('Parquet writers, read back with DuckDB', () => {
  for (const [engine, compression] of CASES) {
    it(`${engine} (${compression}): every value, nested columns included, with statistics`, async () => {
      const { batches } = await orderBatches();
      const file = join(await tempDir(), `${engine}.parquet`);
      const size = await writeParquetFile(file, batches, { engine, compression, rowGroupSize: 100 });
      expect(size).toBeGreaterThan(0);
      const rows = await readBack(file);
      expect(rows).toHaveLength(ROWS);
      expect(rows).toEqual(Array.from({ length: ROWS }, (_, i) => expectedRow(i)));

      const meta = await duckdb(
        `SELECT row_group_id, path_in_schema, compression, stats_min_value, stats_max_value, stats_null_count FROM parquet_metadata('${file}')`,
      );
      expect(new Set(meta.map((m) => m.row_group_id)).size).toBe(3);
      expect(new Set(meta.map((m) => String(m.compression)))).toEqual(new Set([compression.toUpperCase()]));
      const customer = meta.filter((m) => m.path_in_schema === 'customer');
      expect(customer.map((m) => [m.stats_min_value, m.stats_max_value])).toEqual([
        ['customer-0', 'customer-6'],
        ['customer-0', 'customer-6'],
        ['customer-0', 'customer-6'],
      ]);
      const city = meta.filter((m) => String(m.path_in_schema).startsWith('address'));
      expect(city.some((m) => Number(m.stats_null_count) > 0)).toBe(true);
      // statistics let DuckDB skip row groups: a filter on id still returns the exact rows
      const hits = await duckdb(`SELECT count(*)::INTEGER AS n FROM read_parquet('${file}') WHERE id >= ${2n ** 60n + 250n}`);
      expect(hits[0]!.n).toBe(50);
    });
  }

  it('schema evolution: rows of the older version read back with null in the new column', async () => {
    const dir = await tempDir();
    await writeSchemas(dir);
    const registry = await SchemaRegistry.open({ dir });
    const v1 = registry.current();
    const old = new EnvelopeDecoder(v1).decodeBatch([encodeRecord(v1, 'orders', sampleOrder(1)), encodeRecord(v1, 'orders', sampleOrder(2))]);
    await writeFile(join(dir, 'order.proto'), ORDER_PROTO_V2);
    const v2 = (await registry.reload()).snapshot;
    const fresh = new EnvelopeDecoder(v2).decodeBatch([encodeRecord(v2, 'orders', { ...sampleOrder(3), note: 'new' })]);
    const builder = new ArrowBatchBuilder(v2.typeOf('orders')!);
    for (const engine of Object.keys(PARQUET_ENGINES) as ParquetEngineName[]) {
      const file = join(dir, `${engine}.parquet`);
      await writeParquetFile(file, builder.build([...old.records, ...fresh.records].map((r) => r.value)), { engine, compression: 'snappy' });
      const rows = await duckdb(`SELECT customer, note, address.country AS country FROM read_parquet('${file}') ORDER BY id`);
      expect(rows, engine).toEqual([
        { customer: 'customer-1', note: null, country: null },
        { customer: 'customer-2', note: null, country: null },
        { customer: 'customer-3', note: 'new', country: '' },
      ]);
    }
  });

  it('an engine failure rejects the write (parquetjs-lite refuses timestamps before 1970)', async () => {
    const dir = await tempDir();
    await writeSchemas(dir);
    const snap = (await SchemaRegistry.open({ dir })).current();
    const early = { ...sampleOrder(1), created: { seconds: -10, nanos: 0 } };
    const { records } = new EnvelopeDecoder(snap).decodeBatch([encodeRecord(snap, 'orders', sampleOrder(0)), encodeRecord(snap, 'orders', early)]);
    const batch = new ArrowBatchBuilder(snap.typeOf('orders')!).build(records.map((r) => r.value));
    await expect(toParquet(batch, { engine: 'parquetjs-lite', compression: 'snappy' })).rejects.toMatch(/invalid value for TIMESTAMP_MICROS/);
    // the other engines write it
    const file = join(dir, 'early.parquet');
    await writeParquetFile(file, batch);
    expect(await duckdb(`SELECT epoch_us(created)::BIGINT AS us FROM read_parquet('${file}') ORDER BY id`)).toEqual([{ us: 1_700_000_000_000_000n }, { us: -10_000_000n }]);
  });

  it('selects engines by name and compression', async () => {
    expect(selectParquetEngine().name).toBe(DEFAULT_PARQUET_ENGINE);
    expect(selectParquetEngine(undefined, 'zstd').name).toBe(DEFAULT_PARQUET_ENGINE);
    expect(selectParquetEngine('parquetjs-lite').name).toBe('parquetjs-lite');
    expect(() => selectParquetEngine('parquetjs-lite', 'zstd')).toThrow(/parquetjs-lite cannot write zstd/);
    expect(() => selectParquetEngine('nope' as ParquetEngineName)).toThrow(/unknown Parquet engine 'nope'/);
    const { batches } = await orderBatches();
    await expect(toParquet(batches, { engine: 'parquetjs-lite', compression: 'zstd' })).rejects.toThrow(/cannot write zstd/);
    const bytes = await toParquet(batches);
    expect(Buffer.from(bytes.subarray(0, 4)).toString()).toBe('PAR1');
  });
});
