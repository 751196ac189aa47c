import fc from 'fast-check';
import { LATE_DATA, type Stream } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { intervalJoin, joinInputs, regularJoin, sliding, temporalJoin, tumbling, windowJoin, type JoinInput } from '../src/index.js';
import { propertyRuns, sorted, type BackendKind } from './support/harness.js';
import { IntervalJoinReference, RegularJoinReference, TemporalJoinReference, WindowJoinReference, type Pair } from './support/join-reference.js';
import type { ReferenceOperator } from './support/reference.js';
import { runCase } from './support/run-case.js';
import { streamCaseOf, type StreamCase } from './support/window-cases.js';

// packed timestamps: many exact matches at the interval bounds and versions at equal times
const streamCase = streamCaseOf(true);
import { slidingAssign, type Event } from './support/window-reference.js';

const sideOf = (e: Event): 'left' | 'right' => ((e.id * 2654435761) >>> 0) % 3 === 0 ? 'right' : 'left';
const toPair = (l: Event, r: Event | undefined): Pair => ({ l: l.id, r: r?.id ?? null });
const unwrap = (j: unknown) => (j as JoinInput<Event, Event>).value;

type JoinFn = ReturnType<typeof intervalJoin<Event, Event, Pair>>;

/** Runs `fn` on the source split into two sides and joined again, against `ref`. */
async function checkJoin(c: StreamCase, fn: JoinFn, ref: ReferenceOperator<Event> & { late?: Event[] }, pairs: () => Pair[], backend: BackendKind, restore: boolean) {
  const got = await runCase<Pair>(
    c,
    ref,
    (input: Stream<Event>) => {
      const left = input.filter('lefts', (e) => sideOf(e) === 'left');
      const right = input.filter('rights', (e) => sideOf(e) === 'right');
      const main = joinInputs('sides', left, right, (e) => e.key, (e) => e.key).process('join', fn);
      return { main, late: main.sideOutput(LATE_DATA) };
    },
    backend,
    restore,
  );
  expect(sorted(got.main)).toEqual(sorted(pairs()));
  expect(sorted(got.late.map(unwrap))).toEqual(sorted(ref.late ?? []));
}

// small bounds and often a zero width: pairs exactly at the bounds are common
const bounds = fc.tuple(fc.integer({ min: -12, max: 12 }), fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 30 }))).map(([lower, width]) => ({ lower, upper: lower + width }));

function interval(c: StreamCase, b: { lower: number; upper: number }, backend: BackendKind, restore: boolean) {
  const ref = new IntervalJoinReference(sideOf, b.lower, b.upper);
  return checkJoin(c, intervalJoin<Event, Event, Pair>({ lowerMs: b.lower, upperMs: b.upper, join: toPair }), ref, () => ref.pairs(), backend, restore);
}

const windowShape = fc.record({ slide: fc.integer({ min: 1, max: 6 }).map((n) => n * 5), factor: fc.integer({ min: 1, max: 4 }) });

function windowed(c: StreamCase, s: { slide: number; factor: number }, backend: BackendKind, restore: boolean) {
  const size = s.slide * s.factor;
  const ref = new WindowJoinReference(sideOf, slidingAssign(size, s.slide, 0));
  return checkJoin(c, windowJoin<Event, Event, Pair>(s.factor === 1 ? tumbling(size) : sliding(size, s.slide), toPair), ref, () => ref.out, backend, restore);
}

const isDelete = (e: Event) => e.id % 5 === 0;

function temporal(c: StreamCase, backend: BackendKind, restore: boolean) {
  const ref = new TemporalJoinReference(sideOf, isDelete);
  return checkJoin(c, temporalJoin<Event, Event, Pair>({ join: toPair, isDelete }), ref, () => ref.pairs(), backend, restore);
}

function regular(c: StreamCase, ttl: number, backend: BackendKind, restore: boolean) {
  const ref = new RegularJoinReference(sideOf, ttl);
  return checkJoin(c, regularJoin<Event, Event, Pair>({ join: toPair, ttlMs: ttl }), ref, () => ref.out, backend, restore);
}

describe('interval join equals all matching pairs of on-time records', () => {
  it('random out-of-order streams, random bounds', async () => {
    await fc.assert(fc.asyncProperty(streamCase, bounds, (c, b) => interval(c, b, 'heap', false)), { numRuns: propertyRuns(30) });
  });
  it('across a restore from a savepoint taken mid-stream', async () => {
    await fc.assert(fc.asyncProperty(streamCase, bounds, (c, b) => interval(c, b, 'heap', true)), { numRuns: propertyRuns(15) });
  });
  it('across a restore on classic-level', async () => {
    await fc.assert(fc.asyncProperty(streamCase, bounds, (c, b) => interval(c, b, 'classic-level', true)), { numRuns: propertyRuns(4) });
  });
});

describe('window join (tumbling and sliding) equals per-window pairs', () => {
  it('random out-of-order streams', async () => {
    await fc.assert(fc.asyncProperty(streamCase, windowShape, (c, s) => windowed(c, s, 'heap', false)), { numRuns: propertyRuns(30) });
  });
  it('across a restore from a savepoint taken mid-stream', async () => {
    await fc.assert(fc.asyncProperty(streamCase, windowShape, (c, s) => windowed(c, s, 'heap', true)), { numRuns: propertyRuns(15) });
  });
  it('across a restore on rocksdb', async () => {
    await fc.assert(fc.asyncProperty(streamCase, windowShape, (c, s) => windowed(c, s, 'rocksdb', true)), { numRuns: propertyRuns(4) });
  });
  it('tumbling, across a restore from a savepoint taken mid-stream', async () => {
    const tumblingShape = windowShape.map((s) => ({ ...s, factor: 1 }));
    await fc.assert(fc.asyncProperty(streamCase, tumblingShape, (c, s) => windowed(c, s, 'heap', true)), { numRuns: propertyRuns(10) });
  });
});

describe('temporal join equals the version as of each left record', () => {
  it('random out-of-order changelogs with deletes', async () => {
    await fc.assert(fc.asyncProperty(streamCase, (c) => temporal(c, 'heap', false)), { numRuns: propertyRuns(30) });
  });
  it('across a restore from a savepoint taken mid-stream', async () => {
    await fc.assert(fc.asyncProperty(streamCase, (c) => temporal(c, 'heap', true)), { numRuns: propertyRuns(15) });
  });
  it('across a restore on classic-level', async () => {
    await fc.assert(fc.asyncProperty(streamCase, (c) => temporal(c, 'classic-level', true)), { numRuns: propertyRuns(4) });
  });
});

describe('regular join with an event-time TTL equals brute force', () => {
  const ttl = fc.integer({ min: 1, max: 60 });
  it('random out-of-order streams', async () => {
    await fc.assert(fc.asyncProperty(streamCase, ttl, (c, t) => regular(c, t, 'heap', false)), { numRuns: propertyRuns(30) });
  });
  it('across a restore from a savepoint taken mid-stream', async () => {
    await fc.assert(fc.asyncProperty(streamCase, ttl, (c, t) => regular(c, t, 'heap', true)), { numRuns: propertyRuns(15) });
  });
});
