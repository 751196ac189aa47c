import { describe, expect, it } from 'vitest';
import { MIN_WATERMARK } from '../../src/time/types.js';
import type { WatermarkGenerator } from '../../src/time/types.js';
import { BoundedOutOfOrdernessGenerator, WatermarkStrategies } from '../../src/time/watermark-strategies.js';

interface Ev {
  ts: number;
}
const ts = (e: Ev): number => e.ts;

describe('WatermarkStrategies.forBoundedOutOfOrderness', () => {
  it('is MIN_WATERMARK before any event', () => {
    const gen = WatermarkStrategies.forBoundedOutOfOrderness<Ev>(5_000, ts).createGenerator();
    expect(gen.currentWatermark()).toBe(MIN_WATERMARK);
  });

  it('trails the max timestamp by the bound plus 1 ms and ignores late events', () => {
    const gen = WatermarkStrategies.forBoundedOutOfOrderness<Ev>(100, ts).createGenerator();
    gen.onEvent(1_000);
    expect(gen.currentWatermark()).toBe(899);
    gen.onEvent(1_500);
    expect(gen.currentWatermark()).toBe(1_399);
    gen.onEvent(1_200); // out of order: does not move the watermark back
    expect(gen.currentWatermark()).toBe(1_399);
  });

  it('gives every split its own generator', () => {
    const strategy = WatermarkStrategies.forBoundedOutOfOrderness<Ev>(0, ts);
    const a = strategy.createGenerator();
    const b = strategy.createGenerator();
    a.onEvent(10);
    expect(a.currentWatermark()).toBe(9);
    expect(b.currentWatermark()).toBe(MIN_WATERMARK);
  });

  it('rejects negative or non-finite bounds', () => {
    expect(() => WatermarkStrategies.forBoundedOutOfOrderness<Ev>(-1, ts)).toThrow(RangeError);
    expect(() => new BoundedOutOfOrdernessGenerator(Number.NaN)).toThrow(RangeError);
  });
});

describe('other factories', () => {
  it('monotonous timestamps: watermark = max timestamp - 1', () => {
    const s = WatermarkStrategies.forMonotonousTimestamps<Ev>(ts);
    const gen = s.createGenerator();
    gen.onEvent(42);
    expect(gen.currentWatermark()).toBe(41);
    expect(s.timestampAssigner({ ts: 7 })).toBe(7);
  });

  it('forGenerator calls the factory once per split', () => {
    let created = 0;
    const make = (): WatermarkGenerator => {
      created++;
      let last = MIN_WATERMARK;
      return { onEvent: (t) => void (last = t), currentWatermark: () => last };
    };
    const s = WatermarkStrategies.forGenerator<Ev>(make, ts);
    const g = s.createGenerator();
    s.createGenerator();
    g.onEvent(5);
    expect(created).toBe(2);
    expect(g.currentWatermark()).toBe(5);
  });

  it('noWatermarks never advances and assigns no timestamp by default', () => {
    const s = WatermarkStrategies.noWatermarks<Ev>();
    const gen = s.createGenerator();
    gen.onEvent(1_000_000);
    expect(gen.currentWatermark()).toBe(MIN_WATERMARK);
    expect(s.timestampAssigner({ ts: 3 })).toBe(MIN_WATERMARK);
    expect(WatermarkStrategies.noWatermarks<Ev>(ts).timestampAssigner({ ts: 3 })).toBe(3);
  });
});

describe('fluent options', () => {
  it('withIdleness and withAlignment return new immutable strategies', () => {
    const base = WatermarkStrategies.forBoundedOutOfOrderness<Ev>(10, ts);
    const idle = base.withIdleness(30_000);
    const aligned = idle.withAlignment('orders', 5_000);
    expect(base.idleTimeoutMs).toBeUndefined();
    expect(base.alignment).toBeUndefined();
    expect(idle.idleTimeoutMs).toBe(30_000);
    expect(idle.alignment).toBeUndefined();
    expect(aligned.idleTimeoutMs).toBe(30_000);
    expect(aligned.alignment).toEqual({ group: 'orders', maxDriftMs: 5_000, updateIntervalMs: 1_000 });
    expect(aligned.withAlignment('x', 1, 250).alignment).toEqual({ group: 'x', maxDriftMs: 1, updateIntervalMs: 250 });
    expect(Object.isFrozen(aligned)).toBe(true);
    expect(() => {
      (aligned as { idleTimeoutMs?: number }).idleTimeoutMs = 1;
    }).toThrow(TypeError);
    // The derived strategy still generates bounded watermarks.
    const gen = aligned.createGenerator();
    gen.onEvent(100);
    expect(gen.currentWatermark()).toBe(89);
  });

  it('validates its arguments', () => {
    const base = WatermarkStrategies.forMonotonousTimestamps<Ev>(ts);
    expect(() => base.withIdleness(0)).toThrow(RangeError);
    expect(() => base.withAlignment('', 10)).toThrow(RangeError);
    expect(() => base.withAlignment('g', -1)).toThrow(RangeError);
    expect(() => base.withAlignment('g', 10, 0)).toThrow(RangeError);
  });
});
