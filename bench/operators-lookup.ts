/**
 * operators.lookup-calls-per-record: multi-get calls per input record of `asyncLookup` (batching of
 * concurrent keys plus an LRU cache) over skewed user ids, through core's asyncMap; a per-record
 * lookup without batching or cache makes 1 call per record.
 */

import { Pipeline, collectionSource, heapStateBackend, memorySink, silentLogger } from '@weir/core';
import { asyncLookup } from '@weir/operators';
import type { BenchResult } from './support/result.js';

const N = Number(process.env.WEIR_BENCH_LOOKUP_RECORDS ?? 200_000);
const USERS = 50_000;

/** Skewed ids: a few users are very active (as in click streams). */
const users = Array.from({ length: N }, (_, o) => Math.floor(USERS * ((((o * 2654435761) >>> 0) / 2 ** 32) ** 3)));

export async function run(): Promise<BenchResult[]> {
  const lookup = asyncLookup<number, number, number, number>({
    keyOf: (u) => u,
    multiGet: async (keys) => keys.map((k) => k * 2),
    combine: (u, v) => u + (v ?? 0),
    maxBatch: 256,
    cache: { size: 5_000, ttlMs: 60_000 },
  });
  const p = new Pipeline({ name: 'bench-lookup', checkpoints: { intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger });
  p.source('clicks', collectionSource(users, { batchSize: 1000 })).asyncMap('enrich', lookup.fn, { concurrency: 256 }).sink('out', memorySink<number>());
  await p.run();
  return [{ id: 'operators.lookup-calls-per-record', value: lookup.stats.calls / lookup.stats.records, unit: 'calls/record', baseline: 1, ratio: lookup.stats.calls / lookup.stats.records }];
}
