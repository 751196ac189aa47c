import { describe, expect, it } from 'vitest';
import { AlignmentGroups } from '../../src/time/alignment-groups.js';
import { WatermarkAlignment } from '../../src/time/alignment.js';
import type { AlignedSplitReport } from '../../src/time/alignment.js';
import { MAX_WATERMARK } from '../../src/time/types.js';

const split = (splitId: string, watermark: number, flags: Partial<AlignedSplitReport> = {}): AlignedSplitReport => ({
  splitId,
  watermark,
  idle: false,
  finished: false,
  ...flags,
});
const ids = (refs: { sourceId: string; splitId: string }[]): string[] => refs.map((r) => `${r.sourceId}/${r.splitId}`).sort();

describe('WatermarkAlignment', () => {
  it('pauses splits beyond min + maxDrift and resumes them when the slowest catches up', () => {
    const al = new WatermarkAlignment('g', 100);
    al.report('orders', [split('p0', 1_000), split('p1', 1_100), split('p2', 1_101)]);
    al.report('payments', [split('p0', 1_500)]);
    let d = al.decide();
    expect(d.minWatermark).toBe(1_000);
    expect(d.maxAllowedWatermark).toBe(1_100);
    expect(ids(d.pause)).toEqual(['orders/p2', 'payments/p0']);
    expect(d.resume).toEqual([]);
    expect(al.isPaused('orders', 'p2')).toBe(true);
    expect(al.isPaused('orders', 'p1')).toBe(false);

    // Same state again: nothing changes (decisions carry only transitions).
    d = al.decide();
    expect(d.pause).toEqual([]);
    expect(d.resume).toEqual([]);

    // The slowest split catches up: p2 is within the drift again, payments/p0 still not.
    al.report('orders', [split('p0', 1_050), split('p1', 1_100), split('p2', 1_101)]);
    d = al.decide();
    expect(d.maxAllowedWatermark).toBe(1_150);
    expect(ids(d.resume)).toEqual(['orders/p2']);
    expect(d.pause).toEqual([]);
    expect(ids(al.pausedSplits())).toEqual(['payments/p0']);

    al.report('orders', [split('p0', 1_400), split('p1', 1_450), split('p2', 1_420)]);
    d = al.decide();
    expect(ids(d.resume)).toEqual(['payments/p0']);
    expect(al.pausedSplits()).toEqual([]);
  });

  it('idle and finished splits do not hold the group back', () => {
    const al = new WatermarkAlignment('g', 10);
    al.report('s', [split('slow-idle', 0, { idle: true }), split('done', 5, { finished: true }), split('a', 500), split('b', 505)]);
    const d = al.decide();
    expect(d.minWatermark).toBe(500);
    expect(d.pause).toEqual([]);
  });

  it('an idle split far ahead is paused; a finished one never is', () => {
    const al = new WatermarkAlignment('g', 10);
    al.report('s', [split('a', 100), split('idle-ahead', 900, { idle: true }), split('done', MAX_WATERMARK, { finished: true })]);
    expect(ids(al.decide().pause)).toEqual(['s/idle-ahead']);
  });

  it('resumes everything when no split is active', () => {
    const al = new WatermarkAlignment('g', 10);
    al.report('s', [split('a', 0), split('b', 100)]);
    expect(ids(al.decide().pause)).toEqual(['s/b']);
    al.report('s', [split('a', 0, { idle: true }), split('b', 100)]);
    const d = al.decide();
    expect(d.minWatermark).toBe(100);
    expect(ids(d.resume)).toEqual(['s/b']);
    al.report('s', [split('a', 0, { idle: true }), split('b', 100, { idle: true })]);
    expect(al.decide()).toEqual({ minWatermark: undefined, maxAllowedWatermark: MAX_WATERMARK, pause: [], resume: [] });
  });

  it('a paused split that finishes is resumed; one that disappears is forgotten', () => {
    const al = new WatermarkAlignment('g', 0);
    al.report('s', [split('a', 0), split('b', 10), split('c', 20)]);
    expect(ids(al.decide().pause)).toEqual(['s/b', 's/c']);
    al.report('s', [split('a', 0), split('b', MAX_WATERMARK, { finished: true })]);
    const d = al.decide();
    expect(ids(d.resume)).toEqual(['s/b']);
    expect(al.isPaused('s', 'c')).toBe(false);
    al.report('t', [split('x', 50)]);
    expect(ids(al.decide().pause)).toEqual(['t/x']);
    al.removeSource('t');
    expect(al.pausedSplits()).toEqual([]);
  });

  it('never pauses and resumes the same split in one decision', () => {
    const al = new WatermarkAlignment('g', 5);
    al.report('s', [split('a', 0), split('b', 6), split('c', 3)]);
    al.decide();
    expect(al.pausedSplits().map((r) => r.splitId)).toEqual(['b']);
    // The limit moves to 9: b falls back within it while c overtakes it, in the same update.
    al.report('s', [split('a', 4), split('b', 9), split('c', 10)]);
    const d = al.decide();
    const paused = new Set(ids(d.pause));
    expect(ids(d.resume).some((r) => paused.has(r))).toBe(false);
    expect(ids(d.pause)).toEqual(['s/c']);
    expect(ids(d.resume)).toEqual(['s/b']);
  });

  it('distinguishes equal split ids of different sources', () => {
    const al = new WatermarkAlignment('g', 0);
    al.report('a', [split('0', 0)]);
    al.report('b', [split('0', 1)]);
    expect(ids(al.decide().pause)).toEqual(['b/0']);
  });
});

describe('AlignmentGroups', () => {
  it('shares one aligner per group and rejects conflicting drifts', () => {
    const groups = new AlignmentGroups();
    const a = groups.get('g', 100);
    expect(groups.get('g', 100)).toBe(a);
    expect(groups.get('h', 5)).not.toBe(a);
    expect(() => groups.get('g', 50)).toThrow(/conflicts/);
    expect(groups.all().map((g) => g.group)).toEqual(['g', 'h']);
  });
});
