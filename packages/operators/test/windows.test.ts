import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyRuns, sorted, type BackendKind } from './support/harness.js';
import { runCase } from './support/run-case.js';
import { sessionStep, slidingStep, streamCase, type StreamCase } from './support/window-cases.js';
import { SessionReference, WindowReference, slidingAssign, type Fired } from './support/window-reference.js';

const shape = fc.record({ slide: fc.integer({ min: 1, max: 8 }).map((n) => n * 10), sizeFactor: fc.integer({ min: 1, max: 6 }), odd: fc.boolean(), offset: fc.integer({ min: 0, max: 9 }) });

async function checkSliding(c: StreamCase, s: { slide: number; sizeFactor: number; odd: boolean; offset: number }, backend: BackendKind, restore: boolean) {
  // `odd` makes size no multiple of slide (slices of gcd(size, slide))
  const size = s.slide * s.sizeFactor + (s.odd ? 10 : 0);
  const ref = new WindowReference(c.latenessMs, slidingAssign(size, s.slide, s.offset));
  const got = await runCase<Fired>(c, ref, slidingStep(size, s.slide, s.offset, c.latenessMs), backend, restore);
  expect(sorted(got.main.map(({ key, start, end, value }) => ({ key, start, end, value })))).toEqual(sorted(ref.out));
  expect(sorted(got.late)).toEqual(sorted(ref.late));
}

async function checkSessions(c: StreamCase, gap: number, backend: BackendKind, restore: boolean) {
  const ref = new SessionReference(gap, c.latenessMs);
  const got = await runCase<Fired>(c, ref, sessionStep(gap, c.latenessMs), backend, restore);
  expect(sorted(got.main.map(({ key, start, end, value }) => ({ key, start, end, value })))).toEqual(sorted(ref.out));
  expect(sorted(got.late)).toEqual(sorted(ref.late));
}

describe('sliced tumbling and sliding windows equal naive assignment', () => {
  it('tumbling windows, random out-of-order streams with lateness', async () => {
    await fc.assert(fc.asyncProperty(streamCase, fc.integer({ min: 1, max: 10 }), (c, n) => checkSliding(c, { slide: n * 10, sizeFactor: 1, odd: false, offset: 0 }, 'heap', false)), { numRuns: propertyRuns(25) });
  });

  it('tumbling windows across a restore from a savepoint taken mid-stream', async () => {
    await fc.assert(fc.asyncProperty(streamCase, fc.integer({ min: 1, max: 10 }), (c, n) => checkSliding(c, { slide: n * 10, sizeFactor: 1, odd: false, offset: 0 }, 'heap', true)), { numRuns: propertyRuns(15) });
  });

  it('sliding windows (size a multiple of the slide or not), random out-of-order streams', async () => {
    await fc.assert(fc.asyncProperty(streamCase, shape, (c, s) => checkSliding(c, s, 'heap', false)), { numRuns: propertyRuns(30) });
  });

  it('sliding windows across a restore from a savepoint taken mid-stream', async () => {
    await fc.assert(fc.asyncProperty(streamCase, shape, (c, s) => checkSliding(c, s, 'heap', true)), { numRuns: propertyRuns(15) });
  });

  for (const backend of ['classic-level', 'rocksdb'] as const) {
    it(`sliding windows across a restore on ${backend}`, async () => {
      await fc.assert(fc.asyncProperty(streamCase, shape, (c, s) => checkSliding(c, s, backend, true)), { numRuns: propertyRuns(4) });
    });
  }
});

describe('session windows equal brute-force sessions', () => {
  const gap = fc.integer({ min: 1, max: 80 });

  it('random out-of-order streams with lateness', async () => {
    await fc.assert(fc.asyncProperty(streamCase, gap, (c, g) => checkSessions(c, g, 'heap', false)), { numRuns: propertyRuns(30) });
  });

  it('across a restore from a savepoint taken mid-stream', async () => {
    await fc.assert(fc.asyncProperty(streamCase, gap, (c, g) => checkSessions(c, g, 'heap', true)), { numRuns: propertyRuns(15) });
  });

  for (const backend of ['classic-level', 'rocksdb'] as const) {
    it(`across a restore on ${backend}`, async () => {
      await fc.assert(fc.asyncProperty(streamCase, gap, (c, g) => checkSessions(c, g, backend, true)), { numRuns: propertyRuns(4) });
    });
  }
});
