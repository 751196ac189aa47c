/**
 * Transaction state of one partition: open transactions (which hold back the last stable
 * offset) and the aborted ranges that read_committed fetches must report.
 */
import type { AbortedTxn } from './types.js';

/** An aborted transaction's range on this partition; `lastOffset` is its abort marker's offset. */
export interface AbortedRange {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
}

export class TxnState {
  private readonly open = new Map<number, number>();
  private minOpenFirstOffset = Infinity;
  /** Ordered by lastOffset (markers are appended in offset order). */
  private aborted: AbortedRange[] = [];
  /** Longest aborted range seen: bounds the scan for ranges overlapping a fetch. */
  private maxSpan = 0;

  /** Open a transaction for `producerId` at `offset` unless one is open already. */
  onTransactionalAppend(producerId: number, offset: number): void {
    if (this.open.has(producerId)) return;
    this.open.set(producerId, offset);
    if (offset < this.minOpenFirstOffset) this.minOpenFirstOffset = offset;
  }

  /** Close the producer's open transaction (if any) with a marker at `markerOffset`. */
  onMarker(producerId: number, commit: boolean, markerOffset: number): void {
    const firstOffset = this.open.get(producerId);
    if (firstOffset === undefined) return;
    this.open.delete(producerId);
    if (firstOffset === this.minOpenFirstOffset) {
      this.minOpenFirstOffset = Infinity;
      for (const first of this.open.values()) if (first < this.minOpenFirstOffset) this.minOpenFirstOffset = first;
    }
    if (!commit) {
      this.aborted.push({ producerId, firstOffset, lastOffset: markerOffset });
      this.maxSpan = Math.max(this.maxSpan, markerOffset - firstOffset);
    }
  }

  /** First offset of the oldest open transaction, or `highWatermark` when none is open. */
  lastStableOffset(highWatermark: number): number {
    return Math.min(this.minOpenFirstOffset, highWatermark);
  }

  /** Aborted transactions overlapping [fromOffset, toOffset], sorted by first offset. */
  abortedOverlapping(fromOffset: number, toOffset: number): AbortedTxn[] {
    const list = this.aborted;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.lastOffset < fromOffset) lo = mid + 1;
      else hi = mid;
    }
    const out: AbortedTxn[] = [];
    // Ranges later in the list end later; once even the longest possible range would start
    // after toOffset, none of the remaining ones can overlap.
    for (let i = lo; i < list.length; i++) {
      const r = list[i]!;
      if (r.lastOffset - this.maxSpan > toOffset) break;
      if (r.firstOffset <= toOffset) out.push({ producerId: r.producerId, firstOffset: r.firstOffset });
    }
    if (out.length > 1) out.sort((a, b) => a.firstOffset - b.firstOffset);
    return out;
  }

  /** Forget aborted ranges that end below the log start offset (nothing can fetch them). */
  dropAbortedBefore(logStartOffset: number): void {
    let n = 0;
    while (n < this.aborted.length && this.aborted[n]!.lastOffset < logStartOffset) n++;
    if (n > 0) this.aborted = this.aborted.slice(n);
  }

  /** Copy of the aborted list (ordered by marker offset). */
  abortedRanges(): AbortedRange[] {
    return this.aborted.map((r) => ({ ...r }));
  }

  /** Producer id -> first offset of its open transaction. */
  openTransactions(): Map<number, number> {
    return new Map(this.open);
  }
}
