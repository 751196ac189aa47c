/**
 * A randomized, seeded change stream for CDC tests: unique changes of `keys` products with
 * strictly increasing timestamps (the truth), delivered with duplicates (the same change id
 * again a few positions later) and local reordering (shuffled within windows), plus the oracle:
 * the table obtained by applying the unique changes in timestamp order.
 */

import * as arrow from 'apache-arrow';
import type { ChangeOp } from '../../src/parquet.js';

export interface ProductChange {
  id: string;
  product: string;
  op: ChangeOp;
  ts: number;
  name: string;
  price: number;
  stock: bigint;
}

export const productSchema = new arrow.Schema([
  new arrow.Field('name', new arrow.Utf8(), true),
  new arrow.Field('price', new arrow.Float64(), true),
  new arrow.Field('stock', new arrow.Int64(), true),
]);

export const rowOf = (c: ProductChange) => ({ name: c.name, price: c.price, stock: c.stock });

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ChangeStream {
  /** Unique changes in timestamp order. */
  truth: ProductChange[];
  /** What the source delivers: duplicated and reordered. */
  delivered: ProductChange[];
  /** Most event time a delivered change is behind the newest one before it. */
  maxDisorderMs: number;
}

export function changeStream(o: { seed: number; changes: number; keys: number; start: number; stepMs: number; window?: number; duplicateRate?: number }): ChangeStream {
  const rand = mulberry32(o.seed);
  const live = new Map<string, boolean>();
  const truth: ProductChange[] = [];
  for (let i = 0; i < o.changes; i++) {
    const product = `p${String(Math.floor(rand() * o.keys)).padStart(4, '0')}`;
    const exists = live.get(product) === true;
    const op: ChangeOp = !exists ? 'insert' : rand() < 0.2 ? 'delete' : 'update';
    live.set(product, op !== 'delete');
    truth.push({ id: `c${i}`, product, op, ts: o.start + i * o.stepMs, name: `${product}-v${i}`, price: Math.round(rand() * 10_000) / 100, stock: BigInt(Math.floor(rand() * 1e12)) });
  }
  // reorder within windows, then re-deliver some changes a few positions later
  const window = o.window ?? 16;
  const shuffled: ProductChange[] = [];
  for (let i = 0; i < truth.length; i += window) {
    const chunk = truth.slice(i, i + window);
    for (let j = chunk.length - 1; j > 0; j--) {
      const k = Math.floor(rand() * (j + 1));
      [chunk[j], chunk[k]] = [chunk[k]!, chunk[j]!];
    }
    shuffled.push(...chunk);
  }
  const delivered: ProductChange[] = [];
  const again: Array<{ at: number; c: ProductChange }> = [];
  shuffled.forEach((c, i) => {
    delivered.push(c);
    if (rand() < (o.duplicateRate ?? 0.15)) again.push({ at: i + 1 + Math.floor(rand() * 5), c: { ...c } });
    for (const a of again.filter((x) => x.at === i)) delivered.push(a.c);
  });
  for (const a of again.filter((x) => x.at >= shuffled.length)) delivered.push(a.c);
  let newest = -Infinity;
  let maxDisorderMs = 0;
  for (const c of delivered) {
    maxDisorderMs = Math.max(maxDisorderMs, newest - c.ts);
    newest = Math.max(newest, c.ts);
  }
  return { truth, delivered, maxDisorderMs };
}

export interface ReferenceRow {
  _key: string;
  name: string;
  price: number;
  stock: bigint;
  _ts: number;
}

/** The oracle: unique changes with ts < `before`, applied in timestamp order; rows sorted by key. */
export function reference(truth: readonly ProductChange[], before = Infinity): ReferenceRow[] {
  const table = new Map<string, ReferenceRow>();
  for (const c of [...truth].sort((a, b) => a.ts - b.ts)) {
    if (c.ts >= before) break;
    if (c.op === 'delete') table.delete(c.product);
    else table.set(c.product, { _key: c.product, name: c.name, price: c.price, stock: c.stock, _ts: c.ts });
  }
  return [...table.values()].sort((a, b) => (a._key < b._key ? -1 : 1));
}
