import { describe, expect, it } from 'vitest';
import { TimerService } from '../../src/timers/index.js';
import { TimerQueue } from '../../src/timers/timer-queue.js';

const pairs = (timers: { key: string; timestamp: number }[]): [string, number][] => timers.map((t) => [t.key, t.timestamp]);

describe('TimerService', () => {
  it('fires event-time timers up to the watermark in timestamp order, once', () => {
    const s = new TimerService();
    s.registerEventTimeTimer('b', 30);
    s.registerEventTimeTimer('a', 10);
    s.registerEventTimeTimer('c', 20);
    s.registerEventTimeTimer('a', 30);
    s.registerEventTimeTimer('z', 100);
    expect(s.advanceWatermark(5)).toEqual([]);
    expect(pairs(s.advanceWatermark(30))).toEqual([
      ['a', 10],
      ['c', 20],
      ['a', 30],
      ['b', 30],
    ]);
    expect(s.advanceWatermark(30)).toEqual([]);
    expect(s.currentWatermark()).toBe(30);
    expect(s.nextEventTime()).toBe(100);
    expect(s.eventTimeTimerCount).toBe(1);
  });

  it('dedupes (key, timestamp) pairs per time domain', () => {
    const s = new TimerService();
    expect(s.registerEventTimeTimer('k', 10)).toBe(true);
    expect(s.registerEventTimeTimer('k', 10)).toBe(false);
    expect(s.registerProcessingTimeTimer('k', 10)).toBe(true);
    expect(s.registerEventTimeTimer('k', 11)).toBe(true);
    expect(pairs(s.advanceWatermark(20))).toEqual([
      ['k', 10],
      ['k', 11],
    ]);
    expect(pairs(s.dueProcessingTimers(10))).toEqual([['k', 10]]);
  });

  it('deletes timers, including re-registration after a delete', () => {
    const s = new TimerService();
    s.registerEventTimeTimer('a', 10);
    s.registerEventTimeTimer('b', 10);
    expect(s.deleteEventTimeTimer('a', 10)).toBe(true);
    expect(s.deleteEventTimeTimer('a', 10)).toBe(false);
    expect(s.deleteEventTimeTimer('nope', 1)).toBe(false);
    s.registerEventTimeTimer('a', 10);
    s.deleteEventTimeTimer('b', 10);
    expect(pairs(s.advanceWatermark(10))).toEqual([['a', 10]]);
    expect(s.eventTimeTimerCount).toBe(0);
  });

  it('schedules processing time: next due time skips deleted timers', () => {
    const s = new TimerService();
    expect(s.nextProcessingTime()).toBeUndefined();
    s.registerProcessingTimeTimer('a', 1000);
    s.registerProcessingTimeTimer('b', 2000);
    expect(s.nextProcessingTime()).toBe(1000);
    s.deleteProcessingTimeTimer('a', 1000);
    expect(s.nextProcessingTime()).toBe(2000);
    expect(s.dueProcessingTimers(1999)).toEqual([]);
    expect(pairs(s.dueProcessingTimers(5000))).toEqual([['b', 2000]]);
    expect(s.nextProcessingTime()).toBeUndefined();
  });

  it('snapshots to JSON and restores', () => {
    const s = new TimerService();
    s.registerEventTimeTimer('a', 10);
    s.registerEventTimeTimer('b', 5);
    s.registerProcessingTimeTimer('c', 99);
    s.registerEventTimeTimer('d', 7);
    s.deleteEventTimeTimer('d', 7);
    s.advanceWatermark(3);
    const snap = JSON.parse(JSON.stringify(s.snapshot()));
    s.registerEventTimeTimer('after', 1);
    const r = new TimerService();
    r.registerEventTimeTimer('stale', 1);
    r.restore(snap);
    expect(r.currentWatermark()).toBe(3);
    expect(pairs(r.advanceWatermark(100))).toEqual([
      ['b', 5],
      ['a', 10],
    ]);
    expect(pairs(r.dueProcessingTimers(100))).toEqual([['c', 99]]);
    expect(() => r.restore({ ...snap, version: 2 })).toThrow(/Unsupported timer snapshot/);
  });

  it('rejects non-finite timestamps', () => {
    expect(() => new TimerService().registerEventTimeTimer('a', Number.NaN)).toThrow(/finite/);
  });
});

describe('TimerQueue', () => {
  it('matches a sorted model under random adds, deletes and pops (with compaction)', () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const q = new TimerQueue();
    const model = new Map<string, [string, number]>();
    let time = 0;
    for (let step = 0; step < 20_000; step++) {
      const op = rand(10);
      const key = `k${rand(50)}`;
      const ts = time + rand(200);
      const id = `${ts}|${key}`;
      if (op < 5) {
        expect(q.add(key, ts)).toBe(!model.has(id));
        model.set(id, [key, ts]);
      } else if (op < 9) {
        // Delete an existing timer most of the time.
        const existing = [...model.values()][rand(Math.max(1, model.size))];
        const [k, t] = existing ?? [key, ts];
        expect(q.remove(k, t)).toBe(model.delete(`${t}|${k}`));
      } else {
        time += rand(50);
        const expected = [...model.values()]
          .filter(([, t]) => t <= time)
          .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
        for (const [k, t] of expected) model.delete(`${t}|${k}`);
        expect(pairs(q.popDue(time))).toEqual(expected);
      }
      expect(q.size).toBe(model.size);
    }
    const min = Math.min(...[...model.values()].map(([, t]) => t));
    expect(q.peek()).toBe(model.size === 0 ? undefined : min);
  });
});

describe('TimerService restore for a rescale', () => {
  it('merges snapshots of several instances, keeps only accepted keys, and takes the lowest watermark', () => {
    const a = new TimerService();
    a.registerEventTimeTimer('k1', 100);
    a.registerEventTimeTimer('k2', 200);
    a.registerProcessingTimeTimer('k1', 5_000);
    a.advanceWatermark(50);
    const b = new TimerService();
    b.registerEventTimeTimer('k3', 150);
    b.registerEventTimeTimer('k4', 120);
    b.advanceWatermark(80);
    const mine = new Set(['k1', 'k3']);
    const merged = new TimerService();
    merged.restore(a.snapshot(), (k) => mine.has(k));
    merged.restore(b.snapshot(), (k) => mine.has(k), true);
    expect(merged.currentWatermark()).toBe(50);
    expect(pairs(merged.advanceWatermark(1_000))).toEqual([
      ['k1', 100],
      ['k3', 150],
    ]);
    expect(pairs(merged.dueProcessingTimers(10_000))).toEqual([['k1', 5_000]]);
  });
});
