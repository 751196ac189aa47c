/**
 * Records without event time carry MIN_WATERMARK as their timestamp. Rather than building and
 * copying such arrays per batch and step, batches share cached, read-only arrays that steps
 * recognise and pass on without per-record work.
 */

import { MIN_WATERMARK } from '../time/types.js';

const byLength = new Map<number, readonly number[]>();
const shared = new WeakSet<readonly number[]>();

/** A read-only array of `n` MIN_WATERMARK timestamps. */
export function noTimestamps(n: number): readonly number[] {
  let ts = byLength.get(n);
  if (ts === undefined) {
    if (byLength.size > 256) byLength.clear();
    ts = Object.freeze(new Array<number>(n).fill(MIN_WATERMARK));
    byLength.set(n, ts);
    shared.add(ts);
  }
  return ts;
}

/** True for arrays made by `noTimestamps`: every record of the batch has no event time. */
export function hasNoTimestamps(timestamps: readonly number[]): boolean {
  return shared.has(timestamps);
}
