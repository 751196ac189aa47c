/**
 * core.chain-vs-loop: a 5-step pipeline (map, filter, keyBy, keyed count, sink to memory)
 * over 10M in-memory records, against a hand-written loop doing the same work over the same
 * array, in one run.
 */

import { Pipeline, collectionSource, heapStateBackend, memorySink, silentLogger, type ValueState } from '@weir/core';
import type { BenchResult } from './run.js';

const N = Number(process.env.WEIR_BENCH_RECORDS ?? 10_000_000);
const KEYS = 10_000;

interface Rec {
  id: number;
  user: number;
}

/** The in-memory input both sides read. */
const records: Rec[] = Array.from({ length: N }, (_, o) => ({ id: o, user: o % KEYS }));

function handLoop(): number {
  const counts = new Map<string, number>();
  const out: Array<[string, number]> = [];
  for (let o = 0; o < N; o++) {
    const r = records[o]!;
    const m = { id: r.id * 2, user: r.user };
    if (m.id % 3 === 0) continue;
    const key = String(m.user);
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    out.push([key, n]);
  }
  return out.length;
}

async function weir(): Promise<number> {
  const sink = memorySink<[string, number]>();
  const p = new Pipeline({ name: 'bench-chain', checkpoints: { intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger });
  p.source('records', collectionSource(records, { batchSize: 4096 }))
    .map('double', (r) => ({ id: r.id * 2, user: r.user }))
    .filter('drop-thirds', (r) => r.id % 3 !== 0)
    .keyBy((r) => r.user)
    .process<[string, number]>('count', () => {
      let count: ValueState<number>;
      return {
        open: (ctx) => void (count = ctx.state.valueState<number>('count')),
        processElement: (_r, ctx) => {
          const n = (count.value() ?? 0) + 1;
          count.update(n);
          ctx.emit([ctx.key, n]);
        },
      };
    })
    .sink('memory', sink);
  await p.run();
  return sink.committedCount();
}

function rate(count: number, ms: number): number {
  return (count / ms) * 1000;
}

async function timed<T>(fn: () => T | Promise<T>): Promise<{ result: T; ms: number }> {
  // each side starts from a collected heap, not with the other side's garbage (bench runs with --expose-gc)
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - t0 };
}

export async function run(): Promise<BenchResult[]> {
  // alternate the two sides twice and keep each side's best run (JIT warm-up and GC noise)
  let loopMs = Infinity;
  let weirMs = Infinity;
  let loopCount = 0;
  let weirCount = 0;
  for (let round = 0; round < 3; round++) {
    const l = await timed(handLoop);
    loopMs = Math.min(loopMs, l.ms);
    loopCount = l.result;
    const w = await timed(weir);
    weirMs = Math.min(weirMs, w.ms);
    weirCount = w.result;
  }
  if (weirCount !== loopCount) throw new Error(`chain-vs-loop: outputs differ (${weirCount} vs ${loopCount})`);
  const value = rate(N, weirMs);
  const baseline = rate(N, loopMs);
  return [{ id: 'core.chain-vs-loop', value, unit: 'records/s', baseline, ratio: value / baseline }];
}
