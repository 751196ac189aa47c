/**
 * Data sizes and round counts. WEIR_BENCH_QUICK=1 shrinks them for smoke runs while developing
 * (results then go to bench/results/quick.*, not latest.*); a named env var still wins over both.
 */

export const QUICK = process.env.WEIR_BENCH_QUICK === '1';

/** `full` normally, `quick` under WEIR_BENCH_QUICK=1, or the number in env var `name` if set. */
export function size(name: string | undefined, full: number, quick: number): number {
  const set = name === undefined ? undefined : process.env[name];
  return set !== undefined && set !== '' ? Number(set) : QUICK ? quick : full;
}

/** Counted rounds per comparison (WEIR_BENCH_ROUNDS overrides). */
export const ROUNDS = size('WEIR_BENCH_ROUNDS', 5, 2);
