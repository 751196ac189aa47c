/**
 * Idempotent-producer bookkeeping per producerId: current epoch, last sequence and the last
 * five appended batches (to answer retries of them with their original offset).
 */
import { ErrorCodes } from '../protocol/index.js';

const INT32_MAX = 0x7fffffff;
/** How many recent batches per producer are remembered for duplicate detection (as Kafka). */
export const RECENT_BATCHES = 5;

/** A batch remembered for duplicate detection. */
export interface RecentBatch {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
}

/** State of one producer id on this partition. */
export interface ProducerEntry {
  epoch: number;
  /** Last appended sequence in `epoch`; -1 when none yet (next must be 0). */
  lastSeq: number;
  /** Oldest first, at most {@link RECENT_BATCHES}. */
  recent: RecentBatch[];
}

/** Why an append may not simply proceed: an error, or a duplicate of a recent batch. */
export type SequenceVerdict = { errorCode: number; duplicateOf: -1 } | { errorCode: 0; duplicateOf: number };

/** Last sequence of a batch of `count` offsets starting at `firstSeq` (int32 wrap to 0, as Kafka). */
export function lastSequence(firstSeq: number, lastOffsetDelta: number): number {
  return firstSeq > INT32_MAX - lastOffsetDelta ? lastOffsetDelta - (INT32_MAX - firstSeq) - 1 : firstSeq + lastOffsetDelta;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

export class ProducerStateTable {
  private readonly entries = new Map<number, ProducerEntry>();

  /**
   * Check a batch against the producer's state. Returns null when it may be appended (the hot
   * path allocates nothing), otherwise an error code or the base offset of the batch it repeats.
   * An unknown producer is treated like a new epoch: its first batch must start at sequence 0
   * (this log never expires producer state, so there is no "state was lost" case to tolerate).
   */
  check(producerId: number, epoch: number, firstSeq: number, lastSeq: number): SequenceVerdict | null {
    const entry = this.entries.get(producerId);
    // INVALID_PRODUCER_EPOCH rather than PRODUCER_FENCED (90): KafkaJS speaks protocol versions that predate 90.
    if (entry !== undefined && epoch < entry.epoch) return { errorCode: ErrorCodes.INVALID_PRODUCER_EPOCH, duplicateOf: -1 };
    if (entry === undefined || epoch > entry.epoch) {
      return firstSeq === 0 ? null : { errorCode: ErrorCodes.OUT_OF_ORDER_SEQUENCE_NUMBER, duplicateOf: -1 };
    }
    for (const b of entry.recent) {
      if (b.firstSeq === firstSeq && b.lastSeq === lastSeq) return { errorCode: 0, duplicateOf: b.baseOffset };
    }
    return inSequence(entry.lastSeq, firstSeq) ? null : { errorCode: ErrorCodes.OUT_OF_ORDER_SEQUENCE_NUMBER, duplicateOf: -1 };
  }

  /** Record an appended batch (already checked, or replayed from disk). */
  recordAppend(producerId: number, epoch: number, firstSeq: number, lastSeq: number, baseOffset: number): void {
    let entry = this.entries.get(producerId);
    if (entry === undefined || epoch > entry.epoch) {
      entry = { epoch, lastSeq: -1, recent: [] };
      this.entries.set(producerId, entry);
    }
    entry.lastSeq = lastSeq;
    entry.recent.push({ firstSeq, lastSeq, baseOffset });
    if (entry.recent.length > RECENT_BATCHES) entry.recent.shift();
  }

  /** Whether a transaction marker with this epoch would be fenced (lower than the known epoch). */
  isFenced(producerId: number, epoch: number): boolean {
    const entry = this.entries.get(producerId);
    return entry !== undefined && epoch < entry.epoch;
  }

  /**
   * A marker carries the coordinator's view of the epoch: a higher one fences the old producer
   * and resets sequences (the next batch in the new epoch must start at 0).
   */
  recordMarker(producerId: number, epoch: number): void {
    const entry = this.entries.get(producerId);
    if (entry === undefined || epoch > entry.epoch) this.entries.set(producerId, { epoch, lastSeq: -1, recent: [] });
  }

  /** A copy of one producer's state (for tests and diagnostics). */
  get(producerId: number): ProducerEntry | undefined {
    const e = this.entries.get(producerId);
    return e === undefined ? undefined : { epoch: e.epoch, lastSeq: e.lastSeq, recent: e.recent.map((b) => ({ ...b })) };
  }
}
