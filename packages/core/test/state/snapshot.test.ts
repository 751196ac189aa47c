import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyedStateBackend, ListState, MapState, ValueState } from '../../src/state/index.js';
import { BACKEND_KINDS, StateFixture, collectKeys, useKey } from './helpers.js';

const KEYS = Array.from({ length: 3000 }, (_, i) => `k${i}`);

interface Views {
  count: ValueState<number>;
  map: MapState<string, number>;
  list: ListState<number>;
}

function views(b: KeyedStateBackend): Views {
  return { count: b.valueState<number>('count'), map: b.mapState<string, number>('map'), list: b.listState<number>('list') };
}

async function processBatch(b: KeyedStateBackend, keys: string[], fn: (key: string) => void): Promise<void> {
  const p = b.prefetch(keys);
  if (p) await p;
  for (const k of keys) {
    b.setCurrentKey(k);
    fn(k);
  }
}

/** Reads every state of every key into a plain object for comparison. */
async function dump(b: KeyedStateBackend, keys: string[]): Promise<Record<string, unknown>> {
  const v = views(b);
  const out: Record<string, unknown> = {};
  await processBatch(b, keys, (k) => {
    out[k] = { count: v.count.value(), map: [...v.map.entries()].sort(), list: [...v.list.get()] };
  });
  return out;
}

describe.each(BACKEND_KINDS)('snapshot and restore on %s', (kind) => {
  let fx: StateFixture;
  beforeEach(() => {
    fx = new StateFixture();
  });
  afterEach(async () => {
    await fx.dispose();
  });

  it('persists exactly the state at the synchronous phase while writes continue', async () => {
    // Small cache and flush threshold so flushes, evictions and unflushed reads all happen.
    const b = await fx.backend(kind, { cacheSize: 200, flushThreshold: 300 });
    const v = views(b);
    // A plain model of the expected state, maintained beside the writes.
    const model = new Map<string, { count: number; map: [string, number][]; list: number[] }>();
    for (let i = 0; i < KEYS.length; i += 500) {
      await processBatch(b, KEYS.slice(i, i + 500), (k) => {
        const n = Number(k.slice(1));
        v.count.update(n);
        v.map.put('a', n);
        if (n % 3 === 0) v.map.put('b', -n);
        v.list.add(n);
        model.set(k, { count: n, map: n % 3 === 0 ? [['a', n], ['b', -n]] : [['a', n]], list: [n] });
      });
    }
    // One more batch right before the snapshot, without yielding: a flush is still being
    // written and the dirty set is non-empty when the synchronous phase runs.
    await processBatch(b, KEYS.slice(0, 450), (k) => {
      v.count.update(v.count.value()! + 1);
      v.map.put('c', 1);
      v.list.add(-1);
      const m = model.get(k)!;
      m.count++;
      m.map.push(['c', 1]);
      m.list.push(-1);
    });
    const expected = Object.fromEntries([...model].map(([k, m]) => [k, { count: m.count, map: [...m.map].sort(), list: m.list }]));

    const snap = b.snapshot(7);
    // Synchronous writes right after the sync phase, before any queued store write can run.
    for (const k of KEYS.slice(0, 450)) {
      b.setCurrentKey(k);
      v.count.update(-5);
      v.map.put('a', -5);
      v.list.add(-5);
    }
    // Writes after the sync phase: updates, in-place container mutations, deletes, new keys.
    const mutate = async (round: number): Promise<void> => {
      for (let i = 0; i < KEYS.length; i += 500) {
        await processBatch(b, KEYS.slice(i, i + 500), (k) => {
          const n = Number(k.slice(1));
          v.count.update(n * 1000 + round);
          v.map.put('a', -1);
          v.map.remove('b');
          v.list.add(round);
          if (n % 5 === 0) v.count.clear();
          if (n % 7 === 0) v.list.clear();
        });
      }
      await processBatch(b, [`new${round}`], () => v.count.update(round));
    };
    await mutate(1);
    const files = await fx.files();
    const persisting = snap.persist(files);
    await mutate(2);
    const handle = await persisting;
    await mutate(3);
    expect(handle).toMatchObject({ format: 'weir-kv/1', backend: kind, checkpointId: 7, files: ['state.kv'] });
    expect(handle['entries']).toBe(KEYS.length * 3);
    expect(await files.list()).toEqual(['state.kv']);

    const restored = await fx.backend(kind, { cacheSize: 200, flushThreshold: 300 });
    views(restored);
    await restored.restore(handle, files);
    expect(await dump(restored, KEYS)).toEqual(expected);
    expect(await collectKeys(restored, 'count')).toEqual([...KEYS].sort());
    expect(restored.approximateKeyCount()).toBe(KEYS.length * 3);

    // The live backend went on with the later writes.
    await useKey(b, 'k10');
    expect(v.count.value()).toBeUndefined();
    await useKey(b, 'k11');
    expect(v.count.value()).toBe(11003);
  });

  it('restores states that user code registers only after the restore, into any backend', async () => {
    const b = await fx.backend(kind);
    const v = b.valueState<string>('late');
    await useKey(b, 'x');
    v.update('hello');
    const files = await fx.files();
    const handle = await b.snapshot(1).persist(files);
    for (const target of BACKEND_KINDS) {
      const r = await fx.backend(target);
      await r.restore(handle, files);
      const rv = r.valueState<string>('late');
      await useKey(r, 'x');
      expect(rv.value()).toBe('hello');
      expect(await collectKeys(r, 'late')).toEqual(['x']);
    }
  });

  it('restore replaces existing state, and successive snapshots are independent', async () => {
    const b = await fx.backend(kind);
    const v = b.valueState<number>('v');
    await useKey(b, 'a');
    v.update(1);
    const f1 = await fx.files();
    const h1 = await b.snapshot(1).persist(f1);
    v.update(2);
    await useKey(b, 'b');
    v.update(3);
    const f2 = await fx.files();
    const h2 = await b.snapshot(2).persist(f2);
    await b.restore(h1, f1);
    await useKey(b, 'a');
    expect(v.value()).toBe(1);
    await useKey(b, 'b');
    expect(v.value()).toBeUndefined();
    expect(await collectKeys(b, 'v')).toEqual(['a']);
    await b.restore(h2, f2);
    await useKey(b, 'a');
    expect(v.value()).toBe(2);
    await useKey(b, 'b');
    expect(v.value()).toBe(3);
  });

  it('an empty backend snapshots and restores to empty', async () => {
    const b = await fx.backend(kind);
    b.valueState<number>('v');
    const files = await fx.files();
    const handle = await b.snapshot(1).persist(files);
    expect(handle['entries']).toBe(0);
    const r = await fx.backend(kind);
    await r.restore(handle, files);
    expect(await collectKeys(r, 'v')).toEqual([]);
    await expect(r.restore({ format: 'other' }, files)).rejects.toThrow(/Unsupported keyed state handle/);
  });
});
