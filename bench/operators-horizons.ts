/**
 * operators.multi-horizon-updates-per-s.<backend>: records per second through `multiHorizon`
 * (1 m, 6 h, 12 h, 24 h of count/sum/min/max/distinct, emitted per record) over 100k keys, per
 * state backend.
 */

import { Pipeline, WatermarkStrategies, classicLevelStateBackend, generatorSource, heapStateBackend, rocksDbStateBackend, silentLogger, type Sink, type StateBackendFactory } from '@weir/core';
import { multiHorizon } from '@weir/operators';
import type { BenchResult } from './support/result.js';

const N = Number(process.env.WEIR_BENCH_HORIZON_RECORDS ?? 300_000);
const KEYS = 100_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Counts results, keeps nothing. */
function countingSink(counter: { n: number }): Sink<unknown, never, null> {
  return {
    async createWriter() {
      return { write: (r) => void (counter.n += r.length), prepareCommit: async () => [], close: async () => {} };
    },
    async createCommitter() {
      return { async commit() {} };
    },
  };
}

async function measure(backend: StateBackendFactory): Promise<number> {
  const counter = { n: 0 };
  const p = new Pipeline({ name: `bench-horizons-${backend.kind}`, checkpoints: { intervalMs: 0 }, stateBackend: backend, logger: silentLogger });
  // one record per key every ~3 s of event time, over about 2.5 hours
  p.source('plays', generatorSource({ recordsPerSplit: N, batchSize: 2000, generate: (_s, o) => ({ user: (o * 7919) % KEYS, video: o % 1000, ts: o * 30 }) }), {
    watermarks: WatermarkStrategies.forMonotonousTimestamps<{ ts: number }>((r) => r.ts),
  })
    .keyBy((r) => r.user)
    .process('features', multiHorizon<{ video: number }>({ horizonsMs: [MINUTE, 6 * HOUR, 12 * HOUR, 24 * HOUR], distinctOf: (r) => r.video }))
    .sink('out', countingSink(counter));
  const t0 = performance.now();
  await p.run();
  if (counter.n !== N) throw new Error(`expected ${N} results, got ${counter.n}`);
  return N / ((performance.now() - t0) / 1000);
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const backend of [heapStateBackend(), classicLevelStateBackend(), rocksDbStateBackend()]) {
    results.push({ id: `operators.multi-horizon-updates-per-s.${backend.kind}`, value: await measure(backend), unit: 'records/s' });
  }
  return results;
}
