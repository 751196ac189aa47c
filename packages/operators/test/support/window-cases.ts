/** Random out-of-order keyed streams and the window steps under test, shared by the window property tests. */

import fc from 'fast-check';
import { LATE_DATA, type Stream, type WindowResult } from '@weir/core';
import { session, sliding, windowed, type Aggregate } from '../../src/index.js';
import type { Event } from './window-reference.js';

/** Collects record ids; the result is sorted so that merge order does not matter. */
export const collectIds: Aggregate<Event, number[], number[]> = {
  create: () => [],
  add: (acc, e) => [...acc, e.id],
  merge: (a, b) => [...a, ...b],
  result: (acc) => [...acc].sort((x, y) => x - y),
};

export interface StreamCase {
  events: Event[];
  batchSize: number;
  boundMs: number;
  latenessMs: number;
  /** Fraction of the batches before the savepoint in restore runs. */
  cut: number;
}

/** Mostly increasing timestamps with jitter beyond the bound, so some records are late; `tight` packs them so timestamps collide. */
export function streamCaseOf(tight: boolean): fc.Arbitrary<StreamCase> {
  const jitter = tight ? { min: -30, max: 15 } : { min: -120, max: 60 };
  return fc
    .record({
      steps: fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), jitter: fc.integer(jitter), gap: fc.integer({ min: 0, max: tight ? 4 : 25 }) }), { minLength: 1, maxLength: 120 }),
      batchSize: fc.integer({ min: 1, max: 8 }),
      boundMs: fc.integer({ min: 0, max: tight ? 20 : 60 }),
      latenessMs: fc.constantFrom(0, 0, 30, 100),
      cut: fc.double({ min: 0.1, max: 0.9, noNaN: true }),
    })
    .map(({ steps, batchSize, boundMs, latenessMs, cut }) => {
      let t = 1_000;
      const events = steps.map((s, id) => {
        t += s.gap;
        return { key: s.key, ts: Math.max(0, t + s.jitter), id };
      });
      return { events, batchSize, boundMs, latenessMs, cut };
    });
}

export const streamCase = streamCaseOf(false);

export function restorePoint(c: StreamCase): number {
  const batches = Math.ceil(c.events.length / c.batchSize);
  return Math.min(c.events.length, Math.max(1, Math.floor(batches * c.cut)) * c.batchSize);
}

export function slidingStep(size: number, slide: number, offset: number, latenessMs: number) {
  return (input: Stream<Event>) => {
    const main: Stream<WindowResult<number[]>> = input.keyBy((e) => e.key).process('windows', windowed(sliding(size, slide, offset), collectIds, { allowedLatenessMs: latenessMs }));
    return { main, late: main.sideOutput(LATE_DATA) };
  };
}

export function sessionStep(gap: number, latenessMs: number) {
  return (input: Stream<Event>) => {
    const main: Stream<WindowResult<number[]>> = input.keyBy((e) => e.key).process('sessions', windowed(session(gap), collectIds, { allowedLatenessMs: latenessMs }));
    return { main, late: main.sideOutput(LATE_DATA) };
  };
}
