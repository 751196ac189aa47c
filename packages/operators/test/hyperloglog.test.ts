import { describe, expect, it } from 'vitest';
import { HllUnion, hashValue, hllAdd, type HllSketch } from '../src/horizons/hyperloglog.js';

function estimateOf(values: Array<string | number>, precision: number, sketches = 1): number {
  // spread the values over several sketches, then merge them, as slices are merged
  const parts: Array<HllSketch | undefined> = new Array(sketches).fill(undefined);
  values.forEach((v, i) => (parts[i % sketches] = hllAdd(parts[i % sketches], hashValue(v), precision)));
  const union = new HllUnion(precision);
  for (const p of parts) union.add(p);
  return union.estimate();
}

describe('HyperLogLog against exact distinct counts', () => {
  it('is exact while sketches are sparse, duplicates included', () => {
    const values = [...Array(30).keys()].flatMap((i) => [`u${i}`, `u${i}`]);
    expect(estimateOf(values, 12)).toBe(30);
    expect(estimateOf([1, 2, 3, 2, 1], 12, 3)).toBe(3);
  });

  for (const n of [100, 1_000, 10_000, 100_000]) {
    it(`estimates ${n} distinct values within 3 standard errors at precision 12 (merged from 7 sketches)`, () => {
      const values = [...Array(n).keys()].flatMap((i) => (i % 3 === 0 ? [`user-${i}`, `user-${i}`] : [`user-${i}`]));
      const error = Math.abs(estimateOf(values, 12, 7) - n) / n;
      expect(error).toBeLessThan(3 * (1.04 / Math.sqrt(4096)));
    });
  }

  it('merging is order-independent and idempotent', () => {
    const a = [...Array(500).keys()].map((i) => `a${i}`);
    const b = [...Array(500).keys()].map((i) => `b${i}`);
    const one = estimateOf([...a, ...b], 10, 1);
    const sa = a.reduce<HllSketch | undefined>((s, v) => hllAdd(s, hashValue(v), 10), undefined);
    const sb = b.reduce<HllSketch | undefined>((s, v) => hllAdd(s, hashValue(v), 10), undefined);
    const u = new HllUnion(10);
    u.add(sb);
    u.add(sa);
    u.add(sa);
    expect(u.estimate()).toBe(one);
  });
});
