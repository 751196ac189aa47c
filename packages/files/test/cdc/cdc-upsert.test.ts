import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { LATE_DATA, OptionsError, Pipeline, WatermarkStrategies, generatorSource, memorySink, silentLogger } from '@weir/core';
import { dedupe, orderByTime } from '@weir/operators';
import { describe, expect, it } from 'vitest';
import { cdcUpsertSink, readUpsertTable } from '../../src/parquet.js';
import { HOUR, sinkContext, T0, tempDir, walk } from '../helpers.js';
import { duckdb, snapshotRows } from './duck.js';
import { changeStream, productSchema, reference, rowOf, type ProductChange } from './changes.js';

const sinkOptions = (dir: string) => ({ storage: dir, table: 'products', schema: productSchema, keyOf: (c: ProductChange) => c.product, opOf: (c: ProductChange) => c.op, rowOf, timestampOf: (c: ProductChange) => c.ts });

describe('CDC upsert to Parquet snapshots', () => {
  it('randomized changes with duplicates and reordering: every hourly snapshot (read by DuckDB) equals the oracle at its hour end', async () => {
    const dir = await tempDir();
    const stream = changeStream({ seed: 7, changes: 3000, keys: 150, start: T0, stepMs: 5_000, window: 12 }); // ~4.2 h of event time
    expect(stream.delivered.length).toBeGreaterThan(stream.truth.length * 1.1);
    const pipeline = new Pipeline({ name: 'cdc', checkpoints: { dir: join(dir, 'chk'), intervalMs: 100 }, logger: silentLogger });
    const ordered = pipeline
      .source(
        'changes',
        generatorSource<ProductChange>({ splits: 1, recordsPerSplit: stream.delivered.length, ratePerSecond: 4000, batchSize: 40, generate: (_s, o) => stream.delivered[o]! }),
        { watermarks: WatermarkStrategies.forBoundedOutOfOrderness<ProductChange>(stream.maxDisorderMs, (c) => c.ts) },
      )
      .keyBy((c) => c.id)
      .process('dedupe', dedupe<ProductChange>({ ttlMs: HOUR }))
      .keyBy((c) => c.product)
      .process('order', orderByTime<ProductChange>());
    const late = memorySink<unknown>();
    ordered.sideOutput(LATE_DATA).sink('late', late);
    ordered.sink('table', cdcUpsertSink<ProductChange>(sinkOptions(join(dir, 'out'))));
    expect((await pipeline.run()).outcome).toBe('finished');
    expect(late.committed).toEqual([]);

    const { visible, hidden } = await walk(join(dir, 'out'));
    expect(hidden).toEqual([]);
    const snapshots = visible.filter((f) => f.endsWith('/snapshot.parquet'));
    expect(visible).toEqual(snapshots); // every delta folded away
    expect(snapshots).toEqual(['products/dt=2024-05-01/hour=00/snapshot.parquet', 'products/dt=2024-05-01/hour=01/snapshot.parquet', 'products/dt=2024-05-01/hour=02/snapshot.parquet', 'products/dt=2024-05-01/hour=03/snapshot.parquet', 'products/dt=2024-05-01/hour=04/snapshot.parquet']);
    for (const [h, f] of snapshots.entries()) {
      const expected = reference(stream.truth, T0 + (h + 1) * HOUR);
      expect(await snapshotRows(join(dir, 'out', f)), f).toEqual(expected);
    }
    expect(await snapshotRows(join(dir, 'out', snapshots.at(-1)!))).toEqual(reference(stream.truth));
    // the snapshots as one DuckDB scan, with the hour from the path
    const perHour = await duckdb(`SELECT hour, count(*)::INT AS n FROM read_parquet('${join(dir, 'out/products/*/*/snapshot.parquet')}', hive_partitioning = true) GROUP BY hour ORDER BY hour`);
    expect(perHour.map((r) => r.n)).toEqual([1, 2, 3, 4, 5].map((h) => reference(stream.truth, T0 + h * HOUR).length));
  });

  it('merge-on-read before compaction; compaction when the watermark passes the hour; late changes reported', async () => {
    const dir = await tempDir();
    const late: ProductChange[] = [];
    const stream = changeStream({ seed: 3, changes: 600, keys: 40, start: T0, stepMs: 9_000 }); // 90 min
    const sink = cdcUpsertSink<ProductChange>({ ...sinkOptions(dir), onLate: (c) => void late.push(...c) });
    const ctx = sinkContext();
    const writer = await sink.createWriter(ctx);
    const committer = await sink.createCommitter(ctx);
    const firstHour = stream.truth.filter((c) => c.ts < T0 + 50 * 60_000);
    // checkpoint 1 and 2: two deltas of the first 50 minutes, reversed order; nothing compacted
    await writer.write(firstHour.slice(200).reverse(), []);
    await committer.commit(1, await writer.prepareCommit(1));
    await writer.write([...firstHour.slice(0, 200)].reverse(), []);
    await committer.commit(2, await writer.prepareCommit(2));
    let view = await readUpsertTable(dir, 'products');
    expect(view.snapshot).toBeUndefined();
    expect(view.deltaPartitions).toEqual(['dt=2024-05-01/hour=00']);
    expect(view.rows).toEqual(reference(firstHour));
    // the rest, then the watermark passes 01:00: hour 00 is compacted and announced
    await writer.write(stream.truth.slice(firstHour.length), []);
    await writer.onWatermark!(T0 + HOUR);
    await committer.commit(3, await writer.prepareCommit(3));
    view = await readUpsertTable(dir, 'products');
    expect(view.snapshot).toBe('dt=2024-05-01/hour=00');
    expect(view.deltaPartitions).toEqual(['dt=2024-05-01/hour=01']);
    expect(view.rows).toEqual(reference(stream.truth));
    expect(await snapshotRows(join(dir, 'products/dt=2024-05-01/hour=00/snapshot.parquet'))).toEqual(reference(stream.truth, T0 + HOUR));
    const { visible } = await walk(dir);
    expect(visible.filter((f) => f.includes('hour=00'))).toEqual(['products/dt=2024-05-01/hour=00/snapshot.parquet']);
    // a change for the compacted hour is late: reported, not applied
    await writer.write([{ ...stream.truth[0]!, id: 'x', name: 'late' }], []);
    expect(late.map((c) => c.id)).toEqual(['x']);
    await committer.commit(4, await writer.prepareCommit(4));
    expect((await readUpsertTable(dir, 'products')).rows).toEqual(reference(stream.truth));
  });

  it('a crash at every compaction step: the redo finishes with the same snapshot and no leftovers', async () => {
    const stream = changeStream({ seed: 11, changes: 300, keys: 30, start: T0, stepMs: 20_000 }); // 100 min
    for (const crashAt of ['write-snapshot', 'publish-snapshot', 'delete-deltas', 'announce'] as const) {
      const dir = await tempDir();
      let armed = true;
      const sink = cdcUpsertSink<ProductChange>({
        ...sinkOptions(dir),
        compactionHook: (step, partition) => {
          if (armed && step === crashAt && partition.endsWith('hour=01')) throw new Error(`crash before ${step}`);
        },
      });
      const ctx = sinkContext();
      const writer = await sink.createWriter(ctx);
      const committer = await sink.createCommitter(ctx);
      await writer.write(stream.delivered, []);
      await committer.commit(1, await writer.prepareCommit(1));
      await writer.onWatermark!(Number.MAX_SAFE_INTEGER);
      const committables = await writer.prepareCommit(2);
      await expect(committer.commit(2, committables)).rejects.toThrow(/crash before/);
      // restart: the runtime re-commits the restored checkpoint's committables, then aborts leftovers
      armed = false;
      const again = await sink.createCommitter(sinkContext({ restoredCheckpointId: 2 }));
      await again.commit(2, committables);
      await sink.abortLeftovers!(sinkContext({ restoredCheckpointId: 2 }), committables);
      const { visible, hidden } = await walk(dir);
      expect(hidden, crashAt).toEqual([]);
      expect(visible, crashAt).toEqual(['products/dt=2024-05-01/hour=00/snapshot.parquet', 'products/dt=2024-05-01/hour=01/snapshot.parquet']);
      expect(await snapshotRows(join(dir, 'products/dt=2024-05-01/hour=01/snapshot.parquet')), crashAt).toEqual(reference(stream.truth));
    }
  });

  it('rejects bad options and parallel writers', async () => {
    expect(() => cdcUpsertSink({ ...sinkOptions('/tmp/x'), partitionPatern: 'x' } as never)).toThrow(/partitionPattern/);
    expect(() => cdcUpsertSink({ ...sinkOptions('/tmp/x'), schema: new arrow.Schema([new arrow.Field('_key', new arrow.Utf8())]) })).toThrow(OptionsError);
    await expect(cdcUpsertSink(sinkOptions('/tmp/x')).createWriter(sinkContext({ parallelism: 2 }))).rejects.toThrow(/parallelism 1/);
  });
});
