import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKEND_KINDS, StateFixture, collectKeys, useKey } from './helpers.js';

describe.each(BACKEND_KINDS)('state kinds on %s', (kind) => {
  let fx: StateFixture;
  beforeEach(() => {
    fx = new StateFixture();
  });
  afterEach(async () => {
    await fx.dispose();
  });

  it('reports its kind', async () => {
    const b = await fx.backend(kind);
    expect(b.kind).toBe(kind);
  });

  it('ValueState is scoped per key and per state name', async () => {
    const b = await fx.backend(kind);
    const count = b.valueState<number>('count');
    const label = b.valueState<string>('label');
    await useKey(b, 'a');
    expect(count.value()).toBeUndefined();
    count.update(1);
    label.update('x');
    await useKey(b, 'b');
    expect(count.value()).toBeUndefined();
    count.update(10);
    await useKey(b, 'a');
    expect(count.value()).toBe(1);
    expect(label.value()).toBe('x');
    count.update((count.value() ?? 0) + 1);
    expect(count.value()).toBe(2);
    count.clear();
    expect(count.value()).toBeUndefined();
    await useKey(b, 'b');
    expect(count.value()).toBe(10);
    count.update(undefined as unknown as number);
    expect(count.value()).toBeUndefined();
  });

  it('MapState supports put/get/has/remove/entries/keys/size/clear', async () => {
    const b = await fx.backend(kind);
    const m = b.mapState<string, number>('m');
    await useKey(b, 'k1');
    expect(m.size()).toBe(0);
    expect([...m.entries()]).toEqual([]);
    m.put('x', 1);
    m.put('y', 2);
    m.put('x', 3);
    expect(m.get('x')).toBe(3);
    expect(m.has('y')).toBe(true);
    expect(m.has('z')).toBe(false);
    expect(m.size()).toBe(2);
    expect([...m.keys()].sort()).toEqual(['x', 'y']);
    m.remove('y');
    m.remove('nope');
    expect([...m.entries()]).toEqual([['x', 3]]);
    await useKey(b, 'k2');
    expect(m.size()).toBe(0);
    m.put('only', 1);
    m.remove('only');
    expect(m.size()).toBe(0);
    expect(await collectKeys(b, 'm')).toEqual(['k1']);
    await useKey(b, 'k1');
    m.clear();
    expect(m.get('x')).toBeUndefined();
  });

  it('ListState supports add/addAll/update/get/clear', async () => {
    const b = await fx.backend(kind);
    const l = b.listState<{ n: number }>('l');
    await useKey(b, 'k');
    expect(l.get()).toEqual([]);
    l.add({ n: 1 });
    l.addAll([{ n: 2 }, { n: 3 }]);
    l.addAll([]);
    expect(l.get()).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    l.update([{ n: 9 }]);
    expect(l.get()).toEqual([{ n: 9 }]);
    l.update([]);
    expect(l.get()).toEqual([]);
    l.add({ n: 4 });
    l.clear();
    expect(l.get()).toEqual([]);
  });

  it('ReducingState folds added values', async () => {
    const b = await fx.backend(kind);
    const r = b.reducingState<number>('max', (a, c) => Math.max(a, c));
    await useKey(b, 'k');
    expect(r.get()).toBeUndefined();
    r.add(3);
    r.add(7);
    r.add(5);
    expect(r.get()).toBe(7);
    r.clear();
    expect(r.get()).toBeUndefined();
  });

  it('rejects a name reused for another kind and access without a key', async () => {
    const b = await fx.backend(kind);
    const v = b.valueState<number>('s');
    expect(() => b.mapState('s')).toThrow(/already registered/);
    expect(() => b.valueState('bad\0name')).toThrow(/Invalid state name/);
    expect(() => v.value()).toThrow(/current key/);
    expect(b.valueState<number>('s')).toBeDefined();
  });

  it('keeps values after many writes to many keys (flushes) and lists keys()', async () => {
    const b = await fx.backend(kind, { cacheSize: 50, flushThreshold: 40 });
    const v = b.valueState<number>('v');
    const keys = Array.from({ length: 500 }, (_, i) => `key-${i}`);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < keys.length; i += 100) {
        const batch = keys.slice(i, i + 100);
        const p = b.prefetch(batch);
        if (p) await p;
        for (const k of batch) {
          b.setCurrentKey(k);
          v.update((v.value() ?? 0) + 1);
        }
      }
    }
    for (const k of keys) {
      await useKey(b, k);
      expect(v.value()).toBe(3);
    }
    expect(await collectKeys(b, 'v')).toEqual([...keys].sort());
    expect(b.approximateKeyCount()).toBeGreaterThanOrEqual(500);
  });

  it('round-trips rich values (Map, Set, bigint, Date, typed arrays, nested objects)', async () => {
    const b = await fx.backend(kind);
    const v = b.valueState<unknown>('rich');
    const values: unknown[] = [
      42.5,
      -0,
      Number.NaN,
      'héllo',
      '',
      true,
      null,
      { a: 1, b: [1, 'two', { c: null }] },
      new Map<unknown, unknown>([[1, 'a'], ['1', { b: 2 }]]),
      new Map([['d', new Date(5)]]),
      new Set([1, 2]),
      10n ** 20n,
      new Date(1234),
      new Uint8Array([1, 2, 3]),
      [1, undefined, 3],
      { u: undefined },
    ];
    for (let i = 0; i < values.length; i++) {
      await useKey(b, `k${i}`);
      v.update(values[i]);
    }
    const files = await fx.files();
    const handle = await b.snapshot(1).persist(files);
    const restored = await fx.backend(kind);
    const rv = restored.valueState<unknown>('rich');
    await restored.restore(handle, files);
    for (let i = 0; i < values.length; i++) {
      await useKey(restored, `k${i}`);
      expect(rv.value()).toEqual(values[i]);
      expect(Object.is(rv.value(), values[i]) || typeof values[i] === 'object').toBe(true);
    }
  });
});
