/**
 * Rounds and their aggregation: every side of a comparison runs in the same rounds, in rotating
 * order, after uncounted warm-up rounds; a figure is the median of its rounds with min and max.
 */
import type { BenchResult, Target } from './result.js';

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function summarize(xs: readonly number[]): Summary {
  if (xs.length === 0) throw new Error('summarize: no samples');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]!, runs: s.length };
}

/** Four significant digits below 1000, whole numbers above: enough for noisy timings. */
export function tidy(n: number): number {
  return Math.abs(n) >= 1000 ? Math.round(n) : Number(n.toPrecision(4));
}

/**
 * Runs every side once per round, `warmup` uncounted rounds first. Round r starts with side
 * r mod n (AB, BA, ... for two), so neither side always runs on the warmer or busier process.
 * Returns each side's counted samples, index-aligned by round.
 */
export async function alternate<K extends string, R>(
  sides: Record<K, (round: number) => R | Promise<R>>,
  opts: { rounds: number; warmup?: number },
): Promise<Record<K, R[]>> {
  const names = Object.keys(sides) as K[];
  const out = Object.fromEntries(names.map((n) => [n, [] as R[]])) as Record<K, R[]>;
  const warmup = opts.warmup ?? 1;
  for (let round = 0; round < warmup + opts.rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length]!;
      const sample = await sides[name](round);
      if (round >= warmup) out[name].push(sample);
    }
  }
  return out;
}

/** A figure without a baseline: median of the samples, with min, max and runs. */
export function measured(id: string, unit: string, samples: readonly number[], target?: Target): BenchResult {
  const s = summarize(samples);
  return { id, value: tidy(s.median), unit, min: tidy(s.min), max: tidy(s.max), runs: s.runs, ...(target ? { target } : {}) };
}

/**
 * Ours against a baseline measured in the same rounds: value and baseline are medians of their
 * samples, ratio the median of the per-round ratios (the load drifts between rounds more than
 * within one), min and max those of the ratios.
 */
export function comparison(
  id: string,
  unit: string,
  ours: readonly number[],
  theirs: readonly number[],
  extra: { target?: Target; baselineLabel?: string } = {},
): BenchResult {
  if (ours.length !== theirs.length) throw new Error(`${id}: ${ours.length} samples against ${theirs.length}`);
  const ratios = summarize(ours.map((o, i) => o / theirs[i]!));
  return {
    id,
    value: tidy(summarize(ours).median),
    unit,
    baseline: tidy(summarize(theirs).median),
    ratio: tidy(ratios.median),
    min: tidy(ratios.min),
    max: tidy(ratios.max),
    runs: ratios.runs,
    ...extra,
  };
}

/**
 * Runs fn from a collected heap (bench runs with --expose-gc); returns its result, wall
 * milliseconds and this process's CPU milliseconds (all threads: GC helpers included).
 */
export async function timed<T>(fn: () => T | Promise<T>): Promise<{ result: T; ms: number; cpuMs: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  return { result, ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** One stderr line with every side's per-round samples, so a wide min–max can be read back. */
export function logRounds(label: string, samples: Record<string, readonly number[]>, unit: string): void {
  const sides = Object.entries(samples).map(([side, xs]) => `${side} ${xs.map((x) => tidy(x).toLocaleString('en-US')).join(', ')}`);
  process.stderr.write(`${label} (${unit}, by round): ${sides.join('; ')}\n`);
}
