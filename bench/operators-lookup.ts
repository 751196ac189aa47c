/**
 * operators.lookup-calls-per-record: multi-get calls per input record of `asyncLookup` (batching of
 * concurrent keys plus an LRU cache) over skewed user ids, through core's asyncMap; a per-record
 * lookup without batching or cache makes 1 call per record.
 *
 * operators.lookup-unordered-vs-ordered: records/s of the same lookup followed by a CPU-bound step
 * (2,000 multiply-xorshift rounds per record, 10-45 µs here), `order: 'unordered'` against
 * `'ordered'`, with a backend whose calls take 1 ms, and 30 ms when they include one of the 0.5 %
 * slow keys (tail latency). Unordered lets the next step work on the records whose calls returned
 * while slow calls still wait; ordered waits for the whole batch.
 */

import { Pipeline, collectionSource, heapStateBackend, memorySink, silentLogger } from '@weir/core';
import { asyncLookup } from '@weir/operators';
import type { BenchResult } from './support/result.js';
import { ROUNDS, size } from './support/sizes.js';
import { alternate, comparison } from './support/stats.js';

const N = Number(process.env.WEIR_BENCH_LOOKUP_RECORDS ?? 200_000);
const USERS = 50_000;
const MODE_RECORDS = size('WEIR_BENCH_LOOKUP_MODE_RECORDS', 20_000, 5_000);

/** Skewed ids: a few users are very active (as in click streams). */
const users = Array.from({ length: N }, (_, o) => Math.floor(USERS * ((((o * 2654435761) >>> 0) / 2 ** 32) ** 3)));

async function callsPerRecord(): Promise<BenchResult> {
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
  return { id: 'operators.lookup-calls-per-record', value: lookup.stats.calls / lookup.stats.records, unit: 'calls/record', baseline: 1, ratio: lookup.stats.calls / lookup.stats.records };
}

/** About 20 µs of work per record (feature arithmetic after the lookup). */
function score(u: number, v: number): number {
  let h = u ^ v;
  for (let i = 0; i < 2_000; i++) h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) + i;
  return h;
}

async function modeRate(order: 'ordered' | 'unordered'): Promise<number> {
  const input = Array.from({ length: MODE_RECORDS }, (_, o) => (o * 7919) % USERS);
  const lookup = asyncLookup<number, number, number, [number, number]>({
    keyOf: (u) => u,
    multiGet: async (keys) => {
      await new Promise((resolve) => setTimeout(resolve, keys.some((k) => k % 200 === 0) ? 30 : 1));
      return keys.map((k) => k * 2);
    },
    combine: (u, v) => [u, v ?? 0],
    maxBatch: 8,
  });
  const out = memorySink<number>();
  const p = new Pipeline({ name: `bench-lookup-${order}`, checkpoints: { intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger });
  p.source('clicks', collectionSource(input, { batchSize: 1000 }))
    .asyncMap('enrich', lookup.fn, { concurrency: 64, order })
    .map('score', ([u, v]) => score(u, v))
    .sink('out', out);
  const t0 = performance.now();
  await p.run();
  if (out.committedCount() !== MODE_RECORDS) throw new Error(`lookup ${order}: ${out.committedCount()} of ${MODE_RECORDS} records`);
  return MODE_RECORDS / ((performance.now() - t0) / 1000);
}

export async function run(): Promise<BenchResult[]> {
  const rates = await alternate({ unordered: () => modeRate('unordered'), ordered: () => modeRate('ordered') }, { rounds: ROUNDS });
  return [
    await callsPerRecord(),
    comparison('operators.lookup-unordered-vs-ordered', 'records/s', rates.unordered, rates.ordered, { baselineLabel: "asyncMap order 'ordered'" }),
  ];
}
