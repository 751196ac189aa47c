// The file source reads a Parquet table the file sink wrote to S3, row group by row group through
// HEAD and ranged GETs (never whole objects), and gives back exactly what was written.
import { Pipeline, WatermarkStrategies, collectionSource, memorySink, silentLogger } from '@weir/core';
import { bucketedFileSink, fileSource, partitionTimeWatermarks, successFilePolicy, type FileStorage, type Row } from '@weir/files';
import { parquetFormat } from '@weir/files/parquet';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { s3FileStorage } from '../src/index.js';
import { startS3, type TestS3 } from './s3-server.js';

let s3: TestS3;
beforeAll(async () => void (s3 = await startS3()));
afterAll(() => s3.close());

interface Order { user: string; qty: number; ts: number }

it('size and readRange: HEAD and ranged GET, ENOENT for a missing object', async () => {
  const fs = s3FileStorage(s3.options('ranges/'));
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
  await fs.writeFile('t/blob', bytes);
  expect(await fs.size!('t/blob')).toBe(1000);
  expect(Array.from(await fs.readRange!('t/blob', 10, 20))).toEqual(Array.from(bytes.subarray(10, 20)));
  expect(Array.from(await fs.readRange!('t/blob', 990, 1000))).toEqual(Array.from(bytes.subarray(990)));
  expect((await fs.readRange!('t/blob', 5, 5)).length).toBe(0);
  await expect(fs.size!('t/none')).rejects.toMatchObject({ code: 'ENOENT' });
  await expect(fs.readRange!('t/none', 0, 4)).rejects.toMatchObject({ code: 'ENOENT' });
});

it('fileSource over S3 reads what the Parquet sink wrote there, by ranged reads', async () => {
  const storage = s3FileStorage(s3.options('tables/'));
  const orders: Order[] = Array.from({ length: 3000 }, (_, i) => ({ user: `u${i % 37}`, qty: i, ts: Date.UTC(2024, 4, 1, 9) + i * 3_000 }));
  const toArrow = (os: readonly Order[]) =>
    new arrow.Table({
      user: arrow.vectorFromArray(os.map((o) => o.user), new arrow.Utf8()),
      qty: arrow.vectorFromArray(os.map((o) => o.qty), new arrow.Int32()),
      ts: arrow.vectorFromArray(os.map((o) => o.ts), new arrow.TimestampMillisecond()),
    });
  const writer = new Pipeline({ name: 'write', logger: silentLogger });
  writer
    .source('orders', collectionSource(orders), { watermarks: WatermarkStrategies.forMonotonousTimestamps<Order>((o) => o.ts) })
    .sink('tables', bucketedFileSink<Order>({ storage, streamOf: () => 'orders', format: parquetFormat({ toArrow }), readiness: { delayMs: 0, policies: [successFilePolicy()] } }));
  expect((await writer.run()).outcome).toBe('finished');

  // count how the source reads: whole objects or ranges
  const calls = { readFile: 0, readRange: 0, size: 0 };
  const spied: FileStorage = Object.assign(Object.create(storage) as FileStorage, {
    readFile: (p: string) => ((calls.readFile += p.endsWith('.parquet') ? 1 : 0), storage.readFile(p)),
    readRange: (p: string, a: number, b: number) => (calls.readRange++, storage.readRange!(p, a, b)),
    size: (p: string) => (calls.size++, storage.size!(p)),
  });
  const out = memorySink<Order>();
  const reader = new Pipeline({ name: 'backfill', logger: silentLogger });
  reader
    .source(
      'orders',
      fileSource({ storage: spied, tables: ['orders'], from: Date.UTC(2024, 4, 1, 9), to: Date.UTC(2024, 4, 1, 12), recordOf: (row: Row) => row as unknown as Order }),
      { watermarks: partitionTimeWatermarks<Order>((o) => o.ts) },
    )
    .sink('out', out);
  expect((await reader.run()).outcome).toBe('finished');
  expect([...out.committed].sort((a, b) => a.qty - b.qty)).toEqual(orders);
  expect(calls.readFile).toBe(0);
  expect(calls.size).toBeGreaterThan(0);
  expect(calls.readRange).toBeGreaterThan(calls.size);
}, 60_000);
