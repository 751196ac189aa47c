import fc from 'fast-check';
import { LATE_DATA, OutputTag, type Stream } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { dedupe, orderByTime } from '../src/index.js';
import { DedupeReference, OrderReference } from './support/cdc-reference.js';
import { propertyRuns, sorted, type BackendKind } from './support/harness.js';
import { runCase } from './support/run-case.js';
import { streamCase, type StreamCase } from './support/window-cases.js';
import type { Event } from './support/window-reference.js';

const DUPLICATES = new OutputTag<unknown>('duplicates');
// few distinct ids, so ids repeat at different distances in event time
const idOf = (e: Event) => `${e.key}${e.id % 5}`;

async function checkDedupe(c: StreamCase, ttl: number, backend: BackendKind, restore: boolean) {
  const ref = new DedupeReference(idOf, ttl);
  const got = await runCase<Event>(
    c,
    ref,
    (input: Stream<Event>) => {
      const main = input.keyBy(idOf).process('dedupe', dedupe<Event>({ ttlMs: ttl, duplicateTag: DUPLICATES }));
      return { main, late: main.sideOutput(DUPLICATES) };
    },
    backend,
    restore,
  );
  expect(sorted(got.main)).toEqual(sorted(ref.out));
  expect(sorted(got.late)).toEqual(sorted(ref.duplicates));
}

async function checkOrder(c: StreamCase, backend: BackendKind, restore: boolean) {
  const ref = new OrderReference();
  const got = await runCase<Event>(
    c,
    ref,
    (input: Stream<Event>) => {
      const main = input.keyBy((e) => e.key).process('order', orderByTime<Event>());
      return { main, late: main.sideOutput(LATE_DATA) };
    },
    backend,
    restore,
  );
  // per key the exact sequence; across keys any interleaving
  const perKey = new Map<string, Event[]>();
  for (const e of got.main) perKey.set(e.key, [...(perKey.get(e.key) ?? []), e]);
  expect(new Map([...perKey].sort())).toEqual(new Map([...ref.out].sort()));
  expect(sorted(got.late)).toEqual(sorted(ref.late));
}

const ttl = fc.integer({ min: 1, max: 400 });

describe('dedupe by id within an event-time TTL equals brute force', () => {
  it('random out-of-order streams with repeated ids', async () => {
    await fc.assert(fc.asyncProperty(streamCase, ttl, (c, t) => checkDedupe(c, t, 'heap', false)), { numRuns: propertyRuns(30) });
  });
  it('across a restore from a savepoint taken mid-stream', async () => {
    await fc.assert(fc.asyncProperty(streamCase, ttl, (c, t) => checkDedupe(c, t, 'heap', true)), { numRuns: propertyRuns(15) });
  });
  it('across a restore on classic-level', async () => {
    await fc.assert(fc.asyncProperty(streamCase, ttl, (c, t) => checkDedupe(c, t, 'classic-level', true)), { numRuns: propertyRuns(4) });
  });
});

describe('in-key ordering by event time equals brute force', () => {
  it('random out-of-order streams: per key sorted by (timestamp, arrival), late records aside', async () => {
    await fc.assert(fc.asyncProperty(streamCase, (c) => checkOrder(c, 'heap', false)), { numRuns: propertyRuns(30) });
  });
  it('across a restore from a savepoint taken mid-stream', async () => {
    await fc.assert(fc.asyncProperty(streamCase, (c) => checkOrder(c, 'heap', true)), { numRuns: propertyRuns(15) });
  });
  it('across a restore on rocksdb', async () => {
    await fc.assert(fc.asyncProperty(streamCase, (c) => checkOrder(c, 'rocksdb', true)), { numRuns: propertyRuns(4) });
  });
});
