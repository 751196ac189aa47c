import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKEND_KINDS, StateFixture, TestClock, collectKeys, useKey } from './helpers.js';

describe.each(BACKEND_KINDS)('TTL on %s', (kind) => {
  let fx: StateFixture;
  let clock: TestClock;
  beforeEach(() => {
    fx = new StateFixture();
    clock = new TestClock();
  });
  afterEach(async () => {
    await fx.dispose();
  });

  it('hides values after ttlMs since the last write; writes refresh it', async () => {
    const b = await fx.backend(kind, { now: clock.now });
    const v = b.valueState<number>('v', { ttl: { ttlMs: 100 } });
    await useKey(b, 'a');
    v.update(1);
    clock.advance(60);
    expect(v.value()).toBe(1);
    v.update(2);
    clock.advance(60);
    expect(v.value()).toBe(2);
    clock.advance(40);
    expect(v.value()).toBeUndefined();
    expect(await collectKeys(b, 'v')).toEqual([]);
  });

  it('reads do not refresh unless updateOnRead', async () => {
    const b = await fx.backend(kind, { now: clock.now });
    const plain = b.valueState<number>('plain', { ttl: { ttlMs: 100 } });
    const touched = b.valueState<number>('touched', { ttl: { ttlMs: 100, updateOnRead: true } });
    await useKey(b, 'a');
    plain.update(1);
    touched.update(1);
    for (let i = 0; i < 3; i++) {
      clock.advance(70);
      expect(touched.value()).toBe(1);
    }
    expect(plain.value()).toBeUndefined();
    clock.advance(100);
    expect(touched.value()).toBeUndefined();
  });

  it('updateOnRead refreshes survive a snapshot taken in between (copy-on-write)', async () => {
    const b = await fx.backend(kind, { now: clock.now });
    const touched = b.mapState<string, number>('m', { ttl: { ttlMs: 100, updateOnRead: true } });
    await useKey(b, 'a');
    touched.put('x', 1);
    const snap = b.snapshot(1);
    clock.advance(70);
    expect(touched.get('x')).toBe(1); // refresh: expiry now +170 from start
    touched.put('y', 2); // must not leak into the snapshot
    const files = await fx.files();
    const handle = await snap.persist(files);
    clock.advance(70);
    expect(touched.size()).toBe(2);
    const r = await fx.backend(kind, { now: clock.now });
    const rm = r.mapState<string, number>('m', { ttl: { ttlMs: 100, updateOnRead: true } });
    clock.time -= 140; // restore "at" the snapshot time
    await r.restore(handle, files);
    await useKey(r, 'a');
    expect([...rm.entries()]).toEqual([['x', 1]]);
  });

  it('map and list state are empty once expired', async () => {
    const b = await fx.backend(kind, { now: clock.now });
    const m = b.mapState<string, number>('m', { ttl: { ttlMs: 50 } });
    const l = b.listState<number>('l', { ttl: { ttlMs: 50 } });
    const r = b.reducingState<number>('r', (x, y) => x + y, { ttl: { ttlMs: 50 } });
    await useKey(b, 'a');
    m.put('x', 1);
    l.add(1);
    r.add(5);
    clock.advance(50);
    expect(m.size()).toBe(0);
    expect(m.get('x')).toBeUndefined();
    expect(l.get()).toEqual([]);
    expect(r.get()).toBeUndefined();
    l.add(2);
    r.add(1);
    expect(l.get()).toEqual([2]);
    expect(r.get()).toBe(1);
  });

  it('expired values are not written into snapshots nor restored', async () => {
    const b = await fx.backend(kind, { now: clock.now, flushThreshold: 1 });
    const v = b.valueState<number>('v', { ttl: { ttlMs: 100 } });
    await useKey(b, 'old');
    v.update(1);
    clock.advance(60);
    await useKey(b, 'young');
    v.update(2);
    clock.advance(60);
    const files = await fx.files();
    const handle = await b.snapshot(1).persist(files);
    expect(handle['entries']).toBe(1);
    const r = await fx.backend(kind, { now: clock.now });
    await r.restore(handle, files);
    expect(r.approximateKeyCount()).toBe(1);
    const rv = r.valueState<number>('v', { ttl: { ttlMs: 100 } });
    await useKey(r, 'young');
    expect(rv.value()).toBe(2);
    clock.advance(50);
    const r2 = await fx.backend(kind, { now: clock.now });
    await r2.restore(handle, files);
    expect(r2.approximateKeyCount()).toBe(0);
  });
});
