/**
 * Drives a brute-force reference operator with exactly the watermarks the runtime produces for a
 * scripted one-split source: after each batch, max timestamp so far - bound - 1; MAX at the end.
 */

export const MAX_WM = Number.MAX_SAFE_INTEGER;
const MIN_WM = Number.MIN_SAFE_INTEGER;

export interface ReferenceOperator<T> {
  /** A record arrives while the operator's watermark is `wm`. */
  record(record: T, timestamp: number, wm: number): void;
  /** The watermark moved to `wm`. */
  advance(wm: number): void;
}

export function replay<T>(records: readonly T[], batchSize: number, boundMs: number, timestampOf: (r: T) => number, op: ReferenceOperator<T>): void {
  let wm = MIN_WM;
  let maxTs = MIN_WM;
  for (let i = 0; i < records.length; i += batchSize) {
    for (const r of records.slice(i, i + batchSize)) {
      const ts = timestampOf(r);
      maxTs = Math.max(maxTs, ts);
      op.record(r, ts, wm);
    }
    const next = maxTs - boundMs - 1;
    if (next > wm) {
      wm = next;
      op.advance(wm);
    }
  }
  op.advance(MAX_WM);
}
