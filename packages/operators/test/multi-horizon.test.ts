import fc from 'fast-check';
import { LATE_DATA, type Stream } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { multiHorizon, type MultiHorizonResult } from '../src/index.js';
import { propertyRuns, sorted, type BackendKind } from './support/harness.js';
import { HorizonReference, type HorizonSpec } from './support/horizon-reference.js';
import { runCase } from './support/run-case.js';
import { streamCase, type StreamCase } from './support/window-cases.js';
import type { Event } from './support/window-reference.js';

const spec: HorizonSpec = { slice: 10, horizons: [10, 60, 30, 200], numberOf: (e) => (e.id * 37) % 101, distinctOf: (e) => `u${e.id % 13}` };

async function check(c: StreamCase, every: number | undefined, backend: BackendKind, restore: boolean) {
  const ref = new HorizonReference(spec, every);
  const got = await runCase<MultiHorizonResult>(
    c,
    ref,
    (input: Stream<Event>) => {
      const main = input.keyBy((e) => e.key).process(
        'features',
        multiHorizon<Event>({ sliceMs: spec.slice, horizonsMs: spec.horizons, numberOf: spec.numberOf, distinctOf: spec.distinctOf, ...(every === undefined ? {} : { trigger: { everyMs: every } }) }),
      );
      return { main, late: main.sideOutput(LATE_DATA) };
    },
    backend,
    restore,
  );
  expect(sorted(got.main)).toEqual(sorted(every === undefined ? ref.out : ref.ticks()));
  expect(sorted(got.late)).toEqual(sorted(ref.late));
}

describe('multi-horizon aggregator equals brute force per horizon', () => {
  it('record trigger: count, sum, min, max, distinct over 4 horizons per record', async () => {
    await fc.assert(fc.asyncProperty(streamCase, (c) => check(c, undefined, 'heap', false)), { numRuns: propertyRuns(25) });
  });
  it('record trigger across a restore on classic-level', async () => {
    await fc.assert(fc.asyncProperty(streamCase, (c) => check(c, undefined, 'classic-level', true)), { numRuns: propertyRuns(6) });
  });
  it('timer trigger every 20 ms of event time', async () => {
    await fc.assert(fc.asyncProperty(streamCase, (c) => check(c, 20, 'heap', false)), { numRuns: propertyRuns(25) });
  });
  it('timer trigger across a restore from a savepoint taken mid-stream', async () => {
    await fc.assert(fc.asyncProperty(streamCase, (c) => check(c, 20, 'heap', true)), { numRuns: propertyRuns(12) });
  });
});
