/**
 * The job the CDC crash test SIGKILLs: a seeded change stream with duplicates and reordering ->
 * dedupe by change id -> order by product -> CDC upsert sink (hourly Parquet snapshots).
 * argv: <outDir> <checkpointDir> <seed> <changes> <ratePerSecond>
 */

import { Pipeline, WatermarkStrategies, generatorSource, silentLogger } from '@weir/core';
import { dedupe, orderByTime } from '@weir/operators';
import { cdcUpsertSink } from '../../src/parquet.js';
import { changeStream, productSchema, rowOf, type ProductChange } from './changes.js';

const [outDir, checkpointDir, seed, changes, rate] = process.argv.slice(2);
const stream = changeStream({ seed: Number(seed), changes: Number(changes), keys: 300, start: Date.UTC(2024, 4, 1), stepMs: 2_000 });

const p = new Pipeline({ name: 'cdc-crash-test', checkpoints: { dir: checkpointDir!, intervalMs: 150 }, logger: silentLogger, restart: { kind: 'none' } });
const ordered = p
  .source(
    'changes',
    generatorSource<ProductChange>({ splits: 1, recordsPerSplit: stream.delivered.length, ratePerSecond: Number(rate), batchSize: 50, generate: (_s, o) => stream.delivered[o]! }),
    { watermarks: WatermarkStrategies.forBoundedOutOfOrderness<ProductChange>(stream.maxDisorderMs, (c) => c.ts) },
  )
  .keyBy((c) => c.id)
  .process('dedupe', dedupe<ProductChange>({ ttlMs: 3_600_000 }))
  .keyBy((c) => c.product)
  .process('order', orderByTime<ProductChange>());
ordered.sink('table', cdcUpsertSink<ProductChange>({ storage: outDir!, table: 'products', schema: productSchema, keyOf: (c) => c.product, opOf: (c) => c.op, rowOf }));

const result = await p.run();
process.stdout.write(`${JSON.stringify({ done: result.outcome })}\n`);
