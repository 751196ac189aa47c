import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyedStateBackend } from '../../src/state/index.js';
import { StateFixture, collectKeys } from './helpers.js';

function writeBatch(b: KeyedStateBackend, keys: string[], fn: (k: string) => void): Promise<void> | undefined {
  const p = b.prefetch(keys);
  const run = (): void => {
    for (const k of keys) {
      b.setCurrentKey(k);
      fn(k);
    }
  };
  if (p === undefined) {
    run();
    return undefined;
  }
  return p.then(run);
}

const range = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `k${from + i}`);

describe.each([
  { kind: 'classic-level', syncReads: false },
  { kind: 'rocksdb', syncReads: false },
  { kind: 'rocksdb', syncReads: true },
] as const)('level cache on $kind (syncReads $syncReads)', ({ kind, syncReads }) => {
  let fx: StateFixture;
  beforeEach(() => {
    fx = new StateFixture();
  });
  afterEach(async () => {
    await fx.dispose();
  });

  it('serves evicted dirty keys from the dirty set without touching the store', async () => {
    const b = await fx.backend(kind, { syncReads, cacheSize: 10, flushThreshold: 1_000_000 });
    const v = b.valueState<number>('v');
    for (let i = 0; i < 100; i += 10) await writeBatch(b, range(i, i + 10), (k) => v.update(Number(k.slice(1))));
    // All 100 keys are dirty, 90 of them evicted from the cache: no store read needed.
    expect(b.prefetch(range(0, 100))).toBeUndefined();
    for (const k of range(0, 100)) {
      b.setCurrentKey(k);
      expect(v.value()).toBe(Number(k.slice(1)));
    }
    // Already cached keys need no await either.
    expect(b.prefetch(range(0, 10))).toBeUndefined();
  });

  it('reloads flushed and evicted keys with one multi-get, and knows absent keys', async () => {
    // No backpressure waits here, so the awaited promise can only come from the multi-get.
    const b = await fx.backend(kind, { syncReads, cacheSize: 10, flushThreshold: 5, maxPendingFlushes: 10_000 });
    const v = b.valueState<number>('v');
    const m = b.mapState<string, number>('m');
    for (let i = 0; i < 200; i += 10) {
      await writeBatch(b, range(i, i + 10), (k) => {
        v.update(Number(k.slice(1)));
        m.put('n', Number(k.slice(1)) * 2);
      });
    }
    const keys = [...range(0, 20), 'absent'];
    const p = b.prefetch(keys);
    // One multi-get for all missing keys: awaited, unless rocksdb's synchronous reads are on.
    if (syncReads) expect(p).toBeUndefined();
    else expect(p).toBeInstanceOf(Promise);
    if (p) await p;
    for (const k of range(0, 20)) {
      b.setCurrentKey(k);
      expect(v.value()).toBe(Number(k.slice(1)));
      expect(m.get('n')).toBe(Number(k.slice(1)) * 2);
    }
    b.setCurrentKey('absent');
    expect(v.value()).toBeUndefined();
    // Absent keys are cached as absent too.
    const before = b.stats!();
    expect(b.prefetch(['absent'])).toBeUndefined();
    const after = b.stats!();
    expect(after.prefetchMisses).toBe(before.prefetchMisses);
    expect(after.prefetchHits).toBe(before.prefetchHits! + 2);
    // Evicted back below cacheSize (10 per state) once the big batch is two prefetches old.
    expect(after.cachedKeys).toBeGreaterThan(20);
    b.prefetch(['absent']);
    expect(b.stats!().cachedKeys).toBeLessThanOrEqual(20);
    // keys() flushes and waits for the store, so every write has landed afterwards.
    expect(await collectKeys(b, 'v')).toHaveLength(200);
    expect(b.stats!()).toMatchObject({ flushedSlots: 400, pendingWrites: 0, keys: 400 });
  });

  it('reads keys that were never prefetched through a synchronous fallback', async () => {
    const b = await fx.backend(kind, { syncReads, cacheSize: 5, flushThreshold: 3 });
    const v = b.valueState<number>('v');
    for (let i = 0; i < 50; i += 5) await writeBatch(b, range(i, i + 5), (k) => v.update(Number(k.slice(1)) + 1));
    await b.prefetch(range(45, 50));
    for (const k of range(0, 50)) {
      b.setCurrentKey(k);
      expect(v.value()).toBe(Number(k.slice(1)) + 1);
    }
    expect(b.stats!().unprefetchedReads).toBeGreaterThan(0);
  });

  it('keeps the previous batch readable while the next one is prefetched (pipelining)', async () => {
    const b = await fx.backend(kind, { syncReads, cacheSize: 10, flushThreshold: 7 });
    const v = b.valueState<number>('v');
    const batches = Array.from({ length: 30 }, (_, i) => range(i * 10, i * 10 + 10));
    for (let pass = 1; pass <= 2; pass++) {
      let pending = b.prefetch(batches[0]!);
      for (let i = 0; i < batches.length; i++) {
        if (pending) await pending;
        pending = i + 1 < batches.length ? b.prefetch(batches[i + 1]!) : undefined;
        for (const k of batches[i]!) {
          b.setCurrentKey(k);
          expect(v.value()).toBe(pass === 1 ? undefined : 1);
          v.update(pass);
        }
        // A blind write to another key (e.g. from a timer) lands between the batches in LRU order.
        b.setCurrentKey(`other-${pass}-${i}`);
        v.update(0);
      }
    }
    expect(b.stats!().unprefetchedReads).toBe(0);
  });

  it('blind writes and deletes of unloaded keys win over stored values', async () => {
    const b = await fx.backend(kind, { syncReads, cacheSize: 5, flushThreshold: 3 });
    const v = b.valueState<number>('v');
    for (let i = 0; i < 30; i += 5) await writeBatch(b, range(i, i + 5), () => v.update(1));
    await writeBatch(b, range(30, 35), () => undefined);
    // k0..k9 are evicted and flushed; write/delete them without prefetching.
    for (const k of range(0, 10)) {
      b.setCurrentKey(k);
      if (Number(k.slice(1)) % 2 === 0) v.clear();
      else v.update(2);
    }
    for (let i = 30; i < 60; i += 5) await writeBatch(b, range(i, i + 5), () => undefined);
    const p = b.prefetch(range(0, 10));
    if (p) await p;
    for (const k of range(0, 10)) {
      b.setCurrentKey(k);
      expect(v.value()).toBe(Number(k.slice(1)) % 2 === 0 ? undefined : 2);
    }
  });
});
