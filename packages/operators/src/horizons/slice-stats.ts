/** Per-slice statistics of the multi-horizon aggregator, and their merge into features. */

import { HllUnion, hashValue, hllAdd, type HllSketch } from './hyperloglog.js';

/** Stored per slice (immutable, JSON-safe). `d` only when distinct counts are on. */
export interface SliceStats {
  n: number;
  sum: number;
  min: number;
  max: number;
  d?: HllSketch;
}

export interface HorizonFeatures {
  horizonMs: number;
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  /** Approximate distinct count (exact up to 32 distinct values per slice); 0 when not configured. */
  distinct: number;
}

export function addToSlice(prev: SliceStats | undefined, value: number, distinct: string | number | undefined, precision: number): SliceStats {
  const d = distinct === undefined ? undefined : hllAdd(prev?.d, hashValue(distinct), precision);
  if (prev === undefined) return d === undefined ? { n: 1, sum: value, min: value, max: value } : { n: 1, sum: value, min: value, max: value, d };
  const next: SliceStats = { n: prev.n + 1, sum: prev.sum + value, min: Math.min(prev.min, value), max: Math.max(prev.max, value) };
  if (d !== undefined) next.d = d;
  return next;
}

/** Mutable running totals while the slices of a key are folded, newest horizon first. */
export class FeatureFold {
  private n = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;
  private readonly union: HllUnion | undefined;

  constructor(precision: number | undefined) {
    this.union = precision === undefined ? undefined : new HllUnion(precision);
  }

  add(s: SliceStats): void {
    this.n += s.n;
    this.sum += s.sum;
    if (s.min < this.min) this.min = s.min;
    if (s.max > this.max) this.max = s.max;
    this.union?.add(s.d);
  }

  features(horizonMs: number): HorizonFeatures {
    const empty = this.n === 0;
    return { horizonMs, count: this.n, sum: this.sum, min: empty ? null : this.min, max: empty ? null : this.max, distinct: this.union?.estimate() ?? 0 };
  }
}
