import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asyncLookup, type RetryClock } from '../src/index.js';
import { propertyRuns, runScenario, type BackendKind } from './support/harness.js';
import { replay, type ReferenceOperator } from './support/reference.js';

interface Rec {
  n: number;
  user: string;
  ts: number;
}

/** Resolves after `turns` macrotask turns: deterministic latency, no wall-clock time. */
const after = (turns: number) => new Promise<void>((resolve) => (turns <= 0 ? resolve() : setImmediate(() => void after(turns - 1).then(resolve))));
/** Retries wait no time; timeouts are not used here. */
const noWait: RetryClock = { sleep: () => Promise.resolve(), timeout: () => ({ promise: new Promise<never>(() => {}), cancel: () => undefined }) };

const valueOf = (user: string) => (user.endsWith('0') ? undefined : user.toUpperCase());

/** The watermark each record meets at a step right after the source (the brute-force replay). */
class ArrivalWatermarks implements ReferenceOperator<Rec> {
  readonly wm = new Map<number, number>();
  record(r: Rec, _ts: number, wm: number): void {
    this.wm.set(r.n, wm);
  }
  advance(): void {}
}

const lookupCase = fc.record({
  users: fc.array(fc.integer({ min: 0, max: 14 }), { minLength: 1, maxLength: 150 }),
  jitter: fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 150, maxLength: 150 }),
  latency: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 15, maxLength: 15 }),
  flaky: fc.integer({ min: 0, max: 14 }),
  batchSize: fc.integer({ min: 1, max: 12 }),
  boundMs: fc.integer({ min: 0, max: 15 }),
  concurrency: fc.integer({ min: 1, max: 8 }),
  maxBatch: fc.integer({ min: 1, max: 6 }),
  cache: fc.boolean(),
  cut: fc.double({ min: 0.1, max: 0.9, noNaN: true }),
});
type LookupCase = typeof lookupCase extends fc.Arbitrary<infer C> ? C : never;

async function check(c: LookupCase, order: 'ordered' | 'unordered', restore: boolean, backend: BackendKind = 'heap') {
  const records: Rec[] = c.users.map((u, n) => ({ n, user: `u${u}`, ts: Math.max(0, 100 + n * 5 + c.jitter[n]!) }));
  const ref = new ArrivalWatermarks();
  replay(records, c.batchSize, c.boundMs, (r) => r.ts, ref);

  // each call waits as long as its slowest key; a call with the flaky user fails once, then works
  let completions = 0;
  const failedOnce = new Set<string>();
  const lookup = asyncLookup<Rec, string, string, { n: number; v: string | undefined; seq: number }>({
    keyOf: (r) => r.user,
    multiGet: async (users) => {
      await after(Math.max(...users.map((u) => c.latency[Number(u.slice(1))]!)));
      const flaky = `u${c.flaky}`;
      if (users.includes(flaky) && !failedOnce.has(flaky)) {
        failedOnce.add(flaky);
        throw new Error('unavailable');
      }
      return users.map(valueOf);
    },
    // combine runs when the record's value arrives: its completion rank
    combine: (r, v) => ({ n: r.n, v, seq: completions++ }),
    maxBatch: c.maxBatch,
    retry: { maxAttempts: 2, delayMs: 1 },
    clock: noWait,
    ...(c.cache ? { cache: { size: 4, ttlMs: 60_000 } } : {}),
  });
  const batches = Math.ceil(records.length / c.batchSize);
  const got = await runScenario<Rec, { n: number; v: string | undefined; seq: number; wm: number }>({
    records,
    batchSize: c.batchSize,
    boundMs: c.boundMs,
    timestampOf: (r) => r.ts,
    backend,
    build: (input) => ({
      main: input
        .asyncMap('enrich', lookup.fn, { concurrency: c.concurrency, order })
        .keyBy(() => 'all')
        .process('watch', () => ({ processElement: (o, ctx) => ctx.emit({ ...o, wm: ctx.timers.currentWatermark() }) })),
    }),
    ...(restore ? { restoreAt: Math.min(records.length, Math.max(1, Math.floor(batches * c.cut)) * c.batchSize) } : {}),
  });

  // exactly once, each with its key's value
  expect([...got.main].map((o) => [o.n, o.v]).sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual(records.map((r) => [r.n, valueOf(r.user)]));
  // no record passes a watermark: the next step sees it under the watermark its batch arrived with
  for (const o of got.main) expect(o.wm).toBe(ref.wm.get(o.n));
  const batchOf = (o: { n: number }) => Math.floor(o.n / c.batchSize);
  if (order === 'ordered') expect(got.main.map((o) => o.n)).toEqual(records.map((r) => r.n));
  else {
    for (let i = 1; i < got.main.length; i++) {
      const [a, b] = [got.main[i - 1]!, got.main[i]!];
      // batches in order; within a batch, completion order
      expect(batchOf(a)).toBeLessThanOrEqual(batchOf(b));
      if (batchOf(a) === batchOf(b)) expect(a.seq).toBeLessThan(b.seq);
    }
  }
  // first attempts never outnumber the records looked up (without the cache, fewer whenever keys repeat in flight)
  expect(lookup.stats.calls - lookup.stats.retries).toBeLessThanOrEqual(lookup.stats.records - lookup.stats.cacheHits);
  expect(lookup.stats.retries).toBe(failedOnce.size);
  expect(lookup.stats.failedCalls).toBe(0);
}

describe('async lookup, ordered and unordered, equals a per-record lookup', () => {
  for (const order of ['ordered', 'unordered'] as const) {
    it(`${order}: random keys, latencies, batch sizes and capacities`, async () => {
      await fc.assert(fc.asyncProperty(lookupCase, (c) => check(c, order, false)), { numRuns: propertyRuns(25) });
    });
    it(`${order}: across a restore from a savepoint taken mid-stream`, async () => {
      await fc.assert(fc.asyncProperty(lookupCase, (c) => check(c, order, true)), { numRuns: propertyRuns(10) });
    });
  }

  it('unordered output does reorder within a batch when a call is slow (the property above can fail)', async () => {
    const c: LookupCase = { users: [1, 2, 3, 4], jitter: Array(150).fill(0), latency: [0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], flaky: 14, batchSize: 4, boundMs: 0, concurrency: 4, maxBatch: 1, cache: false, cut: 0.5 };
    const records: Rec[] = c.users.map((u, n) => ({ n, user: `u${u}`, ts: n }));
    const lookup = asyncLookup<Rec, string, string, number>({
      keyOf: (r) => r.user,
      multiGet: async (users) => (await after(c.latency[Number(users[0]!.slice(1))]!), users.map(valueOf)),
      combine: (r) => r.n,
      maxBatch: 1,
    });
    const run = (order: 'ordered' | 'unordered') => runScenario<Rec, number>({ records, batchSize: 4, boundMs: 0, timestampOf: (r) => r.ts, build: (input) => ({ main: input.asyncMap('enrich', lookup.fn, { concurrency: 4, order }) }) });
    expect((await run('ordered')).main).toEqual([0, 1, 2, 3]);
    expect((await run('unordered')).main).toEqual([1, 2, 3, 0]);
  });
});
