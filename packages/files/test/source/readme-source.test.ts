import { join } from 'node:path';
import { Pipeline, WatermarkStrategies, collectionSource, memorySink, silentLogger } from '@weir/core';
import * as arrow from 'apache-arrow';
import { expect, it } from 'vitest';
import { bucketedFileSink, fileSource, partitionTimeWatermarks, successFilePolicy, type Row } from '../../src/index.js';
import { parquetFormat } from '../../src/parquet.js';
import { tempDir } from '../helpers.js';

it('README example: the file source reads back what the Parquet sink wrote, hour by hour', async () => {
  const root = await tempDir();
  interface Order { user: string; items: { sku: string; qty: number }[]; ts: number }
  const orders: Order[] = [
    { user: 'ann', items: [{ sku: 'a', qty: 1 }], ts: Date.UTC(2024, 4, 1, 9, 15) },
    { user: 'bob', items: [], ts: Date.UTC(2024, 4, 1, 9, 40) },
    { user: 'bob', items: [{ sku: 'b', qty: 2 }], ts: Date.UTC(2024, 4, 1, 11, 5) },
  ];
  const item = new arrow.Struct([new arrow.Field('sku', new arrow.Utf8(), true), new arrow.Field('qty', new arrow.Int32(), true)]);
  const toArrow = (os: readonly Order[]) =>
    new arrow.Table({
      user: arrow.vectorFromArray(os.map((o) => o.user), new arrow.Utf8()),
      items: arrow.vectorFromArray(os.map((o) => o.items), new arrow.List(new arrow.Field('item', item, true))),
      ts: arrow.vectorFromArray(os.map((o) => o.ts), new arrow.TimestampMillisecond()),
    });
  const writer = new Pipeline({ name: 'write', logger: silentLogger });
  writer
    .source('orders', collectionSource(orders), { watermarks: WatermarkStrategies.forMonotonousTimestamps<Order>((o) => o.ts) })
    .sink('tables', bucketedFileSink<Order>({ storage: join(root, 'tables'), streamOf: () => 'orders', format: parquetFormat({ toArrow }), readiness: { delayMs: 0, policies: [successFilePolicy()] } }));
  await writer.run();

  // --- the README example ---
  const out = memorySink<Order>();
  const backfill = new Pipeline({ name: 'orders-backfill', logger: silentLogger });
  backfill
    .source(
      'orders',
      fileSource({
        storage: join(root, 'tables'),           // or any FileStorage (S3, …)
        tables: ['orders'],
        from: Date.UTC(2024, 4, 1, 9),            // the partition containing `from` ...
        to: Date.UTC(2024, 4, 1, 12),             // ... up to `to` (exclusive); without `to`: follow new hours
        columns: ['user', 'items', 'ts'],         // projection
        recordOf: (row: Row) => row as unknown as Order, // timestamps come back as epoch ms
      }),
      { watermarks: partitionTimeWatermarks<Order>((o) => o.ts) },
    )
    .sink('out', out);
  expect((await backfill.run()).outcome).toBe('finished');
  // --- end ---
  expect(out.committed).toEqual(orders);
});
