import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyedStateBackend, StateHandle } from '../../src/state/index.js';
import { keyGroupOf, keyGroupRangeFor, subtaskForKeyGroup } from '../../src/state/index.js';
import { murmur3String } from '../../src/state/key-groups.js';
import type { LocalStateFiles } from '../../src/state/local-state-files.js';
import { BACKEND_KINDS, StateFixture, collectKeys } from './helpers.js';

const MAX_PARALLELISM = 16;
const KEYS = Array.from({ length: 600 }, (_, i) => `customer-${i}`);

/** The state a key ends with, written in two rounds (so restored and new writes mix). */
function valueOf(key: string): { sum: number; items: Map<string, number> } {
  const n = Number(key.slice(9));
  return { sum: n * 3 + 1, items: new Map([[`a${n % 7}`, n], ['b', n % 5]]) };
}

async function write(b: KeyedStateBackend, keys: string[]): Promise<void> {
  const sum = b.valueState<number>('sum');
  const items = b.mapState<string, number>('items');
  const p = b.prefetch(keys);
  if (p) await p;
  for (const k of keys) {
    b.setCurrentKey(k);
    const v = valueOf(k);
    sum.update(v.sum);
    for (const [ik, iv] of v.items) items.put(ik, iv);
  }
}

async function dump(b: KeyedStateBackend): Promise<Map<string, unknown>> {
  const sum = b.valueState<number>('sum');
  const items = b.mapState<string, number>('items');
  const keys = await collectKeys(b, 'sum');
  const p = b.prefetch(keys);
  if (p) await p;
  const out = new Map<string, unknown>();
  for (const k of keys) {
    b.setCurrentKey(k);
    out.set(k, { sum: sum.value(), items: [...items.entries()].sort() });
  }
  return out;
}

describe('key groups', () => {
  it('murmur3 matches the reference vectors and groups spread evenly', () => {
    // MurmurHash3_x86_32 of the UTF-16LE bytes, seed 0, computed with an independent byte-wise
    // implementation (itself checked against the published vector murmur3("hello") = 613153351)
    expect(murmur3String('')).toBe(0);
    expect(murmur3String('a')).toBe(1867108634);
    expect(murmur3String('ab')).toBe(374890698);
    expect(murmur3String('hello')).toBe(3619887497);
    expect(murmur3String('customer-42')).toBe(630979516);
    expect(murmur3String('héllo✓')).toBe(732376615);
    const counts = new Array<number>(128).fill(0);
    for (let i = 0; i < 128_000; i++) counts[keyGroupOf(String(i), 128)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(850);
    expect(Math.max(...counts)).toBeLessThan(1150);
  });

  it('ranges are contiguous, cover every group once, and agree with subtaskForKeyGroup', () => {
    for (const max of [1, 7, 12, 128]) {
      for (let p = 1; p <= Math.min(max, 9); p++) {
        let next = 0;
        for (let i = 0; i < p; i++) {
          const r = keyGroupRangeFor(i, p, max);
          expect(r.start).toBe(next);
          for (let g = r.start; g <= r.end; g++) expect(subtaskForKeyGroup(g, p, max)).toBe(i);
          next = r.end + 1;
        }
        expect(next).toBe(max);
      }
    }
    expect(() => keyGroupRangeFor(0, 5, 4)).toThrow(/parallelism 5 must be in 1..maxParallelism \(4\)/);
  });
});

describe.each(BACKEND_KINDS)('state written by N instances restored on M (%s)', (kind) => {
  let fx: StateFixture;
  beforeEach(() => {
    fx = new StateFixture();
  });
  afterEach(async () => {
    await fx.dispose();
  });

  it('equals the single-instance state for every N, M in 1..4', async () => {
    // the reference: one instance wrote every key
    const single = await fx.backend(kind);
    await write(single, KEYS);
    const expected = await dump(single);
    expect(expected.size).toBe(KEYS.length);

    for (let n = 1; n <= 4; n++) {
      // N old instances, each holding only its key groups, snapshot after half of the keys were written twice
      const parts: Array<{ handle: StateHandle; files: LocalStateFiles; range: { start: number; end: number } }> = [];
      for (let i = 0; i < n; i++) {
        const range = keyGroupRangeFor(i, n, MAX_PARALLELISM);
        const mine = KEYS.filter((k) => subtaskForKeyGroup(keyGroupOf(k, MAX_PARALLELISM), n, MAX_PARALLELISM) === i);
        const b = await fx.backend(kind);
        await write(b, mine);
        const files = await fx.files();
        const handle = await b.snapshot(1).persist(files);
        parts.push({ handle, files, range });
      }
      for (let m = 1; m <= 4; m++) {
        const union = new Map<string, unknown>();
        for (let j = 0; j < m; j++) {
          const range = keyGroupRangeFor(j, m, MAX_PARALLELISM);
          const scope = { maxParallelism: MAX_PARALLELISM, range };
          const b = await fx.backend(kind);
          let appended = false;
          for (const part of parts) {
            if (part.range.end < range.start || part.range.start > range.end) continue;
            await b.restore(part.handle, part.files, { keyGroups: scope, append: appended });
            appended = true;
          }
          const got = await dump(b);
          for (const [k, v] of got) {
            const g = keyGroupOf(k, MAX_PARALLELISM);
            expect(g >= range.start && g <= range.end, `${k} (group ${g}) restored on instance ${j} of ${m}`).toBe(true);
            expect(union.has(k), `${k} restored twice`).toBe(false);
            union.set(k, v);
          }
        }
        expect(union, `N=${n} -> M=${m}`).toEqual(expected);
      }
    }
  }, 60_000);
});
