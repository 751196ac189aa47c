import { Pipeline, collectionSource, heapStateBackend, memorySink, silentLogger, type DeadLetter } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { asyncLookup, type RetryClock } from '../src/index.js';
import { runScenario } from './support/harness.js';

interface Click {
  n: number;
  user: string;
}
const clicks: Click[] = Array.from({ length: 1000 }, (_, n) => ({ n, user: `u${(n * 7) % 50}` }));
const table = (keys: string[]) => Promise.resolve(keys.map((k) => (k === 'u13' ? undefined : k.toUpperCase())));

/** A retry clock that never waits: sleeps are recorded, timeouts fire when `expire` is called. */
function fakeClock() {
  const slept: number[] = [];
  const armed: Array<() => void> = [];
  const clock: RetryClock = {
    sleep: async (ms) => void slept.push(ms),
    timeout: () => {
      let cancelled = false;
      const promise = new Promise<never>((_, reject) => armed.push(() => cancelled || reject(new Error('timed out'))));
      return { promise, cancel: () => void (cancelled = true) };
    },
  };
  return { clock, slept, expire: () => armed.splice(0).forEach((f) => f()) };
}

describe('async lookup', () => {
  it('batches the concurrent calls of a batch into multi-gets of distinct keys, in input order', async () => {
    const calls: string[][] = [];
    const lookup = asyncLookup<Click, string, string, string>({
      keyOf: (c) => c.user,
      multiGet: (keys) => {
        calls.push(keys);
        return table(keys);
      },
      combine: (c, name) => `${c.n}:${name ?? '?'}`,
      maxBatch: 20,
    });
    const out = memorySink<string>();
    const p = new Pipeline({ name: 'lookup', checkpoints: { intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger });
    p.source('clicks', collectionSource(clicks, { batchSize: 200 })).asyncMap('enrich', lookup.fn, { concurrency: 100 }).sink('out', out);
    await p.run();
    expect(out.committed).toEqual(clicks.map((c) => `${c.n}:${c.user === 'u13' ? '?' : c.user.toUpperCase()}`));
    for (const keys of calls) {
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.length).toBeLessThanOrEqual(20);
    }
    // 100 records in flight share 50 users: 3 calls of <= 20 keys per wave instead of 100 calls
    expect(lookup.stats.calls / lookup.stats.records).toBeLessThan(0.1);
  });

  it('serves repeated keys from the LRU cache until their TTL passes, not-found values included', async () => {
    let now = 0;
    let calls = 0;
    const lookup = asyncLookup<Click, string, string, string | undefined>({
      keyOf: (c) => c.user,
      multiGet: (keys) => {
        calls += keys.length;
        return table(keys);
      },
      combine: (_c, v) => v,
      cache: { size: 2, ttlMs: 1000 },
      now: () => now,
    });
    const get = (user: string) => lookup.fn({ n: 0, user });
    expect(await get('u1')).toBe('U1');
    expect(await get('u13')).toBeUndefined();
    expect([await get('u1'), await get('u13')]).toEqual(['U1', undefined]);
    expect(calls).toBe(2);
    await get('u2'); // capacity 2: evicts the least recently used (u1)
    await get('u1');
    expect(calls).toBe(4);
    now = 5000; // every entry expired
    await get('u2');
    expect(calls).toBe(5);
    expect(lookup.stats.cacheHits).toBe(2);
  });

  for (const backoff of ['fixed', 'exponential'] as const) {
    it(`retries failed calls with ${backoff} backoff and gives up after the last attempt`, async () => {
      const { clock, slept } = fakeClock();
      let failures = 3;
      const lookup = asyncLookup<Click, string, string, string | undefined>({
        keyOf: (c) => c.user,
        multiGet: async (keys) => {
          if (failures-- > 0) throw new Error('unavailable');
          return table(keys);
        },
        combine: (_c, v) => v,
        retry: { maxAttempts: 4, backoff, delayMs: 10 },
        clock,
      });
      expect(await lookup.fn({ n: 0, user: 'u1' })).toBe('U1');
      expect(slept).toEqual(backoff === 'fixed' ? [10, 10, 10] : [10, 20, 40]);
      failures = 10;
      await expect(lookup.fn({ n: 0, user: 'u2' })).rejects.toThrow('unavailable');
      expect(lookup.stats).toMatchObject({ calls: 8, retries: 6, timeouts: 0, failedCalls: 1 });
    });
  }

  it('times out a hanging call and retries it', async () => {
    const { clock, expire } = fakeClock();
    let attempt = 0;
    const lookup = asyncLookup<Click, string, string, string | undefined>({
      keyOf: (c) => c.user,
      multiGet: (keys) => (attempt++ === 0 ? new Promise(() => {}) : table(keys)),
      combine: (_c, v) => v,
      timeoutMs: 50,
      retry: { maxAttempts: 2, delayMs: 1 },
      clock,
    });
    const result = lookup.fn({ n: 0, user: 'u5' });
    await new Promise((r) => setImmediate(r)); // the first attempt is in flight
    expire();
    expect(await result).toBe('U5');
    expect(attempt).toBe(2);
    expect(lookup.stats).toMatchObject({ calls: 2, retries: 1, timeouts: 1, failedCalls: 0 });
  });

  it('sends records whose lookups failed for good to the dead letters', async () => {
    const lookup = asyncLookup<Click, string, string, string>({
      keyOf: (c) => c.user,
      multiGet: async (keys) => {
        if (keys.includes('u7')) throw new Error('poisoned key');
        return table(keys);
      },
      combine: (c, v) => `${c.n}:${v}`,
      maxBatch: 1,
    });
    const out = memorySink<string>();
    const dead = memorySink<DeadLetter>();
    const p = new Pipeline({ name: 'lookup-dlq', checkpoints: { intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger });
    const enriched = p.source('clicks', collectionSource(clicks.slice(0, 100), { batchSize: 50 })).asyncMap('enrich', lookup.fn, { concurrency: 10 });
    enriched.sink('out', out);
    p.deadLetters().sink('dead', dead);
    await p.run();
    const poisoned = clicks.slice(0, 100).filter((c) => c.user === 'u7').length;
    expect(dead.committed.length).toBe(poisoned);
    expect(dead.committed[0]).toMatchObject({ step: 'enrich', error: expect.stringContaining('poisoned key') });
    expect(out.committed.length).toBe(100 - poisoned);
  });

  it('output is exactly once across a restore from a savepoint taken mid-stream', async () => {
    const lookup = asyncLookup<Click, string, string, string>({ keyOf: (c) => c.user, multiGet: table, combine: (c, v) => `${c.n}:${v}`, cache: { size: 10, ttlMs: 60_000 } });
    const got = await runScenario<Click, string>({
      records: clicks,
      batchSize: 64,
      boundMs: 0,
      timestampOf: (c) => c.n,
      build: (input) => ({ main: input.asyncMap('enrich', lookup.fn, { concurrency: 16 }) }),
      restoreAt: 512,
    });
    expect(got.main).toEqual(clicks.map((c) => `${c.n}:${c.user === 'u13' ? 'undefined' : c.user.toUpperCase()}`));
  });
});
