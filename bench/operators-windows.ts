/**
 * operators.sliding-24h-1m.slicing-vs-naive: 24 h windows sliding by 1 minute over the same keyed
 * input, `windowed(sliding(...))` of @weir/operators (one slice update per record) against core's
 * `KeyedStream.window` (every record added to each of its 1,440 windows), in one run. Both sides
 * must emit the same windows; the value is input records per second, the ratio slicing / naive.
 */

import { Pipeline, WatermarkStrategies, collectionSource, heapStateBackend, memorySink, silentLogger, slidingWindows, type WindowResult } from '@weir/core';
import { sliding, windowed } from '@weir/operators';
import type { BenchResult } from './support/result.js';

const N = Number(process.env.WEIR_BENCH_WINDOW_RECORDS ?? 5_000);
const KEYS = 10;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

interface Play {
  user: number;
  ts: number;
}

/** One hour of plays, in event-time order, spread over the keys. */
const plays: Play[] = Array.from({ length: N }, (_, o) => ({ user: o % KEYS, ts: Math.floor((o * 60 * MINUTE) / N) }));

const count = { create: () => 0, add: (n: number) => n + 1, merge: (a: number, b: number) => a + b, result: (n: number) => n };

async function runSide(slicing: boolean): Promise<{ seconds: number; windows: number; total: number }> {
  const out = memorySink<WindowResult<number>>();
  const p = new Pipeline({ name: `bench-sliding-${slicing ? 'slicing' : 'naive'}`, checkpoints: { intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger });
  const keyed = p
    .source('plays', collectionSource(plays, { batchSize: 1000 }), { watermarks: WatermarkStrategies.forBoundedOutOfOrderness<Play>(1000, (e) => e.ts) })
    .keyBy((e) => e.user);
  const windows = slicing ? keyed.process('per-day', windowed(sliding(DAY, MINUTE), count)) : keyed.window('per-day', slidingWindows(DAY, MINUTE), count);
  windows.sink('out', out);
  const t0 = performance.now();
  await p.run();
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, windows: out.committedCount(), total: out.committed.reduce((s, w) => s + w.value, 0) };
}

export async function run(): Promise<BenchResult[]> {
  const naive = await runSide(false);
  const slicing = await runSide(true);
  if (naive.windows !== slicing.windows || naive.total !== slicing.total) {
    throw new Error(`slicing and naive disagree: ${slicing.windows} windows / ${slicing.total} vs ${naive.windows} / ${naive.total}`);
  }
  const value = N / slicing.seconds;
  const baseline = N / naive.seconds;
  return [{ id: 'operators.sliding-24h-1m.slicing-vs-naive', value, unit: 'records/s', baseline, ratio: value / baseline, baselineLabel: "core's window operator", target: { op: '>=', value: 20 } }];
}
