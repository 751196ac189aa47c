import { describe, expect, it } from 'vitest';
import { MAX_WATERMARK, MIN_WATERMARK } from '../../src/time/types.js';
import type { WatermarkGenerator } from '../../src/time/types.js';
import { SplitWatermarks } from '../../src/time/split-watermarks.js';
import { WatermarkStrategies } from '../../src/time/watermark-strategies.js';

interface Ev {
  ts: number;
}
const ev = (...timestamps: number[]): Ev[] => timestamps.map((t) => ({ ts: t }));
const bounded = WatermarkStrategies.forBoundedOutOfOrderness<Ev>(0, (e) => e.ts);

describe('SplitWatermarks: timestamps', () => {
  it('returns per-record timestamps in a fresh Float64Array by default', () => {
    const sw = new SplitWatermarks(bounded);
    sw.addSplit('p0');
    const out = sw.onRecords('p0', ev(5, 3, 9), 0);
    expect(out).toBeInstanceOf(Float64Array);
    expect([...out]).toEqual([5, 3, 9]);
  });

  it('writes into a caller-provided buffer and returns it', () => {
    const sw = new SplitWatermarks(bounded);
    sw.addSplit('p0');
    const buf = new Float64Array(8);
    expect(sw.onRecords('p0', ev(1, 2), 0, buf)).toBe(buf);
    expect([...buf.subarray(0, 2)]).toEqual([1, 2]);
    const arr: number[] = [];
    expect(sw.onRecords('p0', ev(4, 6, 5), 0, arr)).toBe(arr);
    expect(arr).toEqual([4, 6, 5]);
    expect(() => sw.onRecords('p0', ev(1, 2, 3), 0, new Float64Array(2))).toThrow(RangeError);
  });

  it('rejects unknown and finished splits', () => {
    const sw = new SplitWatermarks(bounded);
    expect(() => sw.onRecords('nope', ev(1), 0)).toThrow(/unknown split/);
    sw.addSplit('p0');
    sw.finishSplit('p0');
    expect(() => sw.onRecords('p0', ev(1), 0)).toThrow(/finished/);
  });
});

describe('SplitWatermarks: combined output', () => {
  it('is the minimum over splits and never decreases', () => {
    const sw = new SplitWatermarks(bounded);
    sw.addSplit('a');
    sw.addSplit('b');
    sw.onRecords('a', ev(100), 0);
    // b has no data yet: it holds the output at MIN.
    expect(sw.poll(0)).toEqual({ watermark: MIN_WATERMARK, idle: false, changed: false });
    sw.onRecords('b', ev(50), 0);
    expect(sw.poll(0)).toEqual({ watermark: 49, idle: false, changed: true });
    sw.onRecords('b', ev(200), 0);
    expect(sw.poll(0)).toEqual({ watermark: 99, idle: false, changed: true });
    expect(sw.poll(0)).toEqual({ watermark: 99, idle: false, changed: false });
    expect(sw.currentWatermark()).toBe(99);
  });

  it('does not let a regressing custom generator move a split or the output back', () => {
    let wm = 1_000;
    const gen: WatermarkGenerator = { onEvent: () => {}, currentWatermark: () => wm };
    const sw = new SplitWatermarks(WatermarkStrategies.forGenerator<Ev>(() => gen, (e) => e.ts));
    sw.addSplit('a');
    expect(sw.poll(0).watermark).toBe(1_000);
    wm = 10;
    expect(sw.poll(0)).toEqual({ watermark: 1_000, idle: false, changed: false });
    expect(sw.perSplitWatermarks()[0]!.watermark).toBe(1_000);
  });

  it('removing the slowest split releases the output', () => {
    const sw = new SplitWatermarks(bounded);
    sw.addSplit('a');
    sw.addSplit('b');
    sw.onRecords('a', ev(10), 0);
    sw.onRecords('b', ev(500), 0);
    expect(sw.poll(0).watermark).toBe(9);
    sw.removeSplit('a');
    expect(sw.poll(0).watermark).toBe(499);
  });
});

describe('SplitWatermarks: idleness', () => {
  const strategy = bounded.withIdleness(1_000);

  it('an idle split stops holding back; it rejoins without moving the output backwards', () => {
    const sw = new SplitWatermarks(strategy);
    sw.addSplit('fast', 0);
    sw.addSplit('slow', 0);
    sw.onRecords('fast', ev(100), 0);
    sw.onRecords('slow', ev(10), 0);
    expect(sw.poll(0).watermark).toBe(9);

    sw.onRecords('fast', ev(300), 600);
    expect(sw.poll(999)).toMatchObject({ watermark: 9, idle: false });
    // 'slow' has had no records for 1000 ms: idle, output follows 'fast'.
    expect(sw.poll(1_000)).toEqual({ watermark: 299, idle: false, changed: true });
    expect(sw.perSplitWatermarks().find((s) => s.splitId === 'slow')).toMatchObject({ idle: true, watermark: 9 });
    sw.onRecords('fast', ev(400), 1_100);
    expect(sw.poll(1_100).watermark).toBe(399);

    // 'slow' rejoins far behind: the output stays, and is held until 'slow' catches up.
    sw.onRecords('slow', ev(50), 1_200);
    expect(sw.poll(1_200)).toEqual({ watermark: 399, idle: false, changed: false });
    sw.onRecords('fast', ev(900), 1_300);
    expect(sw.poll(1_300).watermark).toBe(399);
    sw.onRecords('slow', ev(700), 1_400);
    expect(sw.poll(1_400)).toEqual({ watermark: 699, idle: false, changed: true });
  });

  it('all splits idle gives an idle output at the last watermark; data makes it active again', () => {
    const sw = new SplitWatermarks(strategy);
    sw.addSplit('a', 0);
    sw.addSplit('b', 0);
    sw.onRecords('a', ev(100), 0);
    sw.onRecords('b', ev(200), 0);
    expect(sw.poll(0).watermark).toBe(99);
    expect(sw.onNoData(5_000)).toEqual({ watermark: 99, idle: true, changed: true });
    expect(sw.onNoData(6_000)).toEqual({ watermark: 99, idle: true, changed: false });
    sw.onRecords('b', ev(250), 7_000);
    expect(sw.poll(7_000)).toEqual({ watermark: 249, idle: false, changed: true });
  });

  it('the idle timer of a split added without a time starts at the first poll', () => {
    const sw = new SplitWatermarks(strategy);
    sw.addSplit('a');
    expect(sw.poll(50_000)).toMatchObject({ idle: false });
    expect(sw.poll(50_999)).toMatchObject({ idle: false });
    expect(sw.poll(51_000)).toMatchObject({ idle: true });
  });

  it('an empty batch is not activity', () => {
    const sw = new SplitWatermarks(strategy);
    sw.addSplit('a', 0);
    sw.onRecords('a', [], 900);
    expect(sw.poll(1_000).idle).toBe(true);
  });

  it('no splits at all is idle, not stalled', () => {
    const sw = new SplitWatermarks(bounded);
    expect(sw.poll(0)).toEqual({ watermark: MIN_WATERMARK, idle: true, changed: true });
  });

  it('without an idle timeout a silent split holds the output forever', () => {
    const sw = new SplitWatermarks(bounded);
    sw.addSplit('a', 0);
    sw.addSplit('b', 0);
    sw.onRecords('a', ev(100), 0);
    expect(sw.poll(1e12)).toMatchObject({ watermark: MIN_WATERMARK, idle: false });
  });

  it('a paused split does not go idle; its timer restarts on resume', () => {
    const sw = new SplitWatermarks(strategy);
    sw.addSplit('a', 0);
    sw.addSplit('b', 0);
    sw.onRecords('a', ev(100), 0);
    sw.onRecords('b', ev(500), 0);
    sw.pauseSplit('a');
    sw.onRecords('b', ev(600), 4_000);
    expect(sw.poll(4_000)).toMatchObject({ watermark: 99, idle: false });
    expect(sw.perSplitWatermarks().find((s) => s.splitId === 'a')).toMatchObject({ paused: true, idle: false });
    sw.resumeSplit('a', 5_000);
    sw.onRecords('b', ev(700), 5_500);
    expect(sw.poll(5_999).watermark).toBe(99);
    expect(sw.poll(6_000).watermark).toBe(699);
  });
  it('an idle split that was paused stays idle after resume until records arrive', () => {
    const sw = new SplitWatermarks(strategy);
    sw.addSplit('a', 0);
    sw.addSplit('ahead', 0);
    sw.onRecords('ahead', ev(900), 0);
    sw.onRecords('a', ev(100), 0);
    sw.onRecords('a', ev(150), 1_500);
    expect(sw.poll(1_500)).toMatchObject({ watermark: 149, idle: false }); // 'ahead' idle
    sw.pauseSplit('ahead');
    sw.onRecords('a', ev(950), 2_000);
    sw.resumeSplit('ahead', 2_000);
    expect(sw.poll(2_000).watermark).toBe(949);
    expect(sw.perSplitWatermarks().find((s) => s.splitId === 'ahead')).toMatchObject({ idle: true, paused: false });
    sw.onRecords('ahead', ev(1_000), 2_100);
    sw.onRecords('a', ev(2_000), 2_100);
    expect(sw.poll(2_100).watermark).toBe(999);
  });
});

describe('SplitWatermarks: finished splits', () => {
  it('a finished split stops holding back; all finished gives MAX_WATERMARK', () => {
    const sw = new SplitWatermarks(bounded);
    sw.addSplit('a');
    sw.addSplit('b');
    sw.onRecords('a', ev(10), 0);
    sw.onRecords('b', ev(100), 0);
    expect(sw.poll(0).watermark).toBe(9);
    sw.finishSplit('a');
    expect(sw.poll(0)).toEqual({ watermark: 99, idle: false, changed: true });
    sw.finishSplit('b');
    expect(sw.poll(0)).toEqual({ watermark: MAX_WATERMARK, idle: false, changed: true });
    expect(sw.perSplitWatermarks().every((s) => s.finished && s.watermark === MAX_WATERMARK)).toBe(true);
  });

  it('MAX_WATERMARK is final: removing the finished splits afterwards does not make the output idle', () => {
    const sw = new SplitWatermarks(bounded);
    sw.addSplit('a');
    sw.finishSplit('a');
    expect(sw.poll(0).watermark).toBe(MAX_WATERMARK);
    sw.removeSplit('a');
    expect(sw.poll(1)).toEqual({ watermark: MAX_WATERMARK, idle: false, changed: false });
  });

  it('finished plus idle splits give an idle output, not MAX', () => {
    const sw = new SplitWatermarks(bounded.withIdleness(10));
    sw.addSplit('a', 0);
    sw.addSplit('b', 0);
    sw.onRecords('a', ev(5), 0);
    sw.finishSplit('b');
    expect(sw.poll(0)).toMatchObject({ watermark: 4, idle: false });
    expect(sw.poll(10)).toEqual({ watermark: 4, idle: true, changed: true });
  });
});

describe('SplitWatermarks.advanceSplit (a watermark the source knows, e.g. a file partition read to its end)', () => {
  it('raises the split above what its records say, never lowers it, and marks it active', () => {
    const sw = new SplitWatermarks(WatermarkStrategies.forBoundedOutOfOrderness<Ev>(0, (e) => e.ts).withIdleness(10));
    sw.addSplit('a', 0);
    sw.addSplit('b', 0);
    sw.onRecords('a', ev(5), 0);
    sw.onRecords('b', ev(3), 0);
    expect(sw.poll(0).watermark).toBe(2); // bound 0: ts - 1
    sw.advanceSplit('b', 99, 0);
    expect(sw.poll(0).watermark).toBe(4);
    sw.advanceSplit('b', 50, 0);
    sw.onRecords('a', ev(200), 0);
    expect(sw.poll(0).watermark).toBe(99);
    // idle after the timeout, active again when the source advances it
    expect(sw.poll(20).idle).toBe(true);
    sw.advanceSplit('a', 300, 20);
    expect(sw.poll(20)).toMatchObject({ watermark: 300, idle: false });
  });
});
