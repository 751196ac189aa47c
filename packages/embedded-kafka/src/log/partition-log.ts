/**
 * One partition's log: stored RecordBatch v2 bytes (never decompressed), idempotent-producer
 * and transaction state, long-poll waiters, and optional persistence to an append-only file.
 * Every replica is "in sync", so the high watermark is the log end offset.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ATTR_LOG_APPEND_TIME, ErrorCodes, batchAttributes, buildControlBatch, patchBaseOffset, readBatchFields } from '../protocol/index.js';
import { readBatchInfo } from './batch-info.js';
import { BatchStore } from './batch-store.js';
import { DataWaiters } from './data-waiters.js';
import { PartitionLogError } from './error-codes.js';
import { FrameKind, LogFile } from './log-file.js';
import { ProducerStateTable, lastSequence, type ProducerEntry } from './producer-state.js';
import { findRecordByTimestamp } from './record-timestamps.js';
import { readStartOffset, writeStartOffset } from './start-offset-file.js';
import { TxnState, type AbortedRange } from './txn-state.js';
import type { AppendBatchInfo, AppendResult, IsolationLevel, PartitionLogApi, ReadResult } from './types.js';

/** Options of {@link PartitionLog.open}. */
export interface PartitionLogOptions {
  topic: string;
  partition: number;
  /**
   * Data directory. When set, the log lives in `<dir>/<topic>-<partition>/` and every append and
   * marker is written there before the call returns; the state is rebuilt from it on open.
   */
  dir?: string;
  /** Also fsync each write (survives power loss, not just process death). Default false. */
  fsync?: boolean;
}

/** The directory under `dir` holding one partition's log files. */
export function partitionLogDir(dir: string, topic: string, partition: number): string {
  return path.join(dir, `${encodeURIComponent(topic)}-${partition}`);
}

const EMPTY_RECORDS = Buffer.alloc(0);
const BATCH_FILE = 'batches.log';
const START_OFFSET_FILE = 'log-start-offset';

export class PartitionLog implements PartitionLogApi {
  private readonly batches = new BatchStore();
  private readonly producers = new ProducerStateTable();
  private readonly txns = new TxnState();
  private readonly waiters = new DataWaiters();
  private nextOffset = 0;
  private startOffset = 0;
  private file: LogFile | null = null;
  private startOffsetPath: string | null = null;
  private fsync = false;
  private closed = false;

  private constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** A log kept only in memory. */
  static inMemory(topic: string, partition: number): PartitionLog {
    return new PartitionLog(topic, partition);
  }

  /**
   * Open a log; with `dir`, replay its file (truncating a torn tail) and keep appending to it.
   * Synchronous, like the appends it recovers.
   */
  static open(options: PartitionLogOptions): PartitionLog {
    const log = new PartitionLog(options.topic, options.partition);
    if (options.dir === undefined) return log;
    const partitionDir = partitionLogDir(options.dir, options.topic, options.partition);
    fs.mkdirSync(partitionDir, { recursive: true });
    log.fsync = options.fsync ?? false;
    log.file = LogFile.open(path.join(partitionDir, BATCH_FILE), log.fsync, (kind, payload) => log.replayFrame(kind, payload));
    log.startOffsetPath = path.join(partitionDir, START_OFFSET_FILE);
    log.advanceStartOffset(Math.min(readStartOffset(log.startOffsetPath), log.nextOffset));
    return log;
  }

  append(batch: AppendBatchInfo, nowMs: number): AppendResult {
    this.assertOpen();
    if (batch.isControl || batch.lastOffsetDelta < 0) return this.appendResult(ErrorCodes.INVALID_RECORD, -1, -1);
    const idempotent = batch.producerId >= 0;
    const lastSeq = idempotent ? lastSequence(batch.baseSequence, batch.lastOffsetDelta) : -1;
    if (idempotent) {
      const verdict = this.producers.check(batch.producerId, batch.producerEpoch, batch.baseSequence, lastSeq);
      if (verdict !== null) return this.appendResult(verdict.errorCode, verdict.duplicateOf, -1);
    }
    const baseOffset = this.nextOffset;
    patchBaseOffset(batch.bytes, baseOffset);
    this.file?.append(FrameKind.Batch, batch.bytes);
    this.applyBatch(batch, baseOffset, lastSeq);
    this.waiters.wake(this.nextOffset, this.lastStableOffset());
    const logAppendTime = (batchAttributes(batch.bytes) & ATTR_LOG_APPEND_TIME) !== 0 ? nowMs : -1;
    return this.appendResult(ErrorCodes.NONE, baseOffset, logAppendTime);
  }

  /**
   * Write a commit/abort marker and close the producer's open transaction here; returns the
   * marker's offset. A marker is written even when no transaction is open (coordinator retries).
   * @throws PartitionLogError with errorCode 47 (INVALID_PRODUCER_EPOCH) when `producerEpoch` is
   *   lower than the epoch this partition knows: nothing is written.
   */
  appendTxnMarker(producerId: number, producerEpoch: number, commit: boolean, coordinatorEpoch: number, nowMs: number): number {
    this.assertOpen();
    if (this.producers.isFenced(producerId, producerEpoch)) {
      throw new PartitionLogError(
        ErrorCodes.INVALID_PRODUCER_EPOCH,
        `marker for producer ${producerId} epoch ${producerEpoch} is fenced on ${this.topic}-${this.partition}`,
      );
    }
    const offset = this.nextOffset;
    // Leader epoch 0, as the log has always written its markers.
    const bytes = buildControlBatch({ baseOffset: offset, producerId, producerEpoch, commit, coordinatorEpoch, timestampMs: nowMs, partitionLeaderEpoch: 0 });
    this.file?.append(commit ? FrameKind.CommitMarker : FrameKind.AbortMarker, bytes);
    this.applyMarker(bytes, producerId, producerEpoch, commit, offset, nowMs);
    this.waiters.wake(this.nextOffset, this.lastStableOffset());
    return offset;
  }

  /**
   * Whole batches starting at the one containing `fetchOffset`: at least one, then as many as
   * fit in `maxBytes`, all below the high watermark (read_uncommitted) or the last stable
   * offset (read_committed). At the limit `records` is an empty buffer (never null unless the
   * fetch failed). `abortedTransactions` is null for read_uncommitted.
   */
  read(fetchOffset: number, maxBytes: number, isolation: IsolationLevel): ReadResult {
    const highWatermark = this.nextOffset;
    const lastStableOffset = this.lastStableOffset();
    const result: ReadResult = {
      errorCode: ErrorCodes.NONE,
      highWatermark,
      lastStableOffset,
      logStartOffset: this.startOffset,
      records: EMPTY_RECORDS,
      nextOffset: fetchOffset,
      abortedTransactions: isolation === 1 ? [] : null,
    };
    if (fetchOffset < this.startOffset || fetchOffset > highWatermark) {
      result.errorCode = ErrorCodes.OFFSET_OUT_OF_RANGE;
      result.records = null;
      result.abortedTransactions = null;
      return result;
    }
    const limit = isolation === 1 ? lastStableOffset : highWatermark;
    if (fetchOffset >= limit) return result;
    const first = this.batches.positionOf(fetchOffset);
    if (first < 0) return result;
    let pos = first;
    let total = this.batches.bytesAt(pos).length;
    const end = this.batches.end;
    while (pos + 1 < end && this.batches.lastOffsetAt(pos + 1) < limit) {
      const size = this.batches.bytesAt(pos + 1).length;
      if (total + size > maxBytes) break;
      total += size;
      pos++;
    }
    const lastOffset = this.batches.lastOffsetAt(pos);
    result.records = pos === first ? this.batches.bytesAt(first) : this.concat(first, pos, total);
    result.nextOffset = lastOffset + 1;
    if (isolation === 1) result.abortedTransactions = this.txns.abortedOverlapping(fetchOffset, lastOffset);
    return result;
  }

  highWatermark(): number {
    return this.nextOffset;
  }

  lastStableOffset(): number {
    return this.txns.lastStableOffset(this.nextOffset);
  }

  logStartOffset(): number {
    return this.startOffset;
  }

  /**
   * ListOffsets by timestamp: the first record (at or after the log start) whose timestamp is
   * >= `timestampMs`, record-exact for uncompressed CreateTime batches, batch granularity
   * otherwise (see record-timestamps.ts); null when there is none. Also answers the special
   * timestamps -1 (latest: the high watermark) and -2 (earliest: the log start offset).
   */
  offsetForTimestamp(timestampMs: number): { offset: number; timestamp: number } | null {
    if (timestampMs === -1) return { offset: this.nextOffset, timestamp: -1 };
    if (timestampMs === -2) return { offset: this.startOffset, timestamp: -1 };
    const end = this.batches.end;
    for (let pos = this.batches.positionOfTimestamp(timestampMs); pos >= 0 && pos < end; pos++) {
      if (this.batches.maxTimestampAt(pos) < timestampMs) continue;
      const found = findRecordByTimestamp(this.batches.bytesAt(pos), this.batches.baseOffsetAt(pos), timestampMs, this.startOffset);
      if (found !== null) return found;
    }
    return null;
  }

  /**
   * DeleteRecords: move the log start offset to `offset` (-1 = the high watermark), dropping
   * the batches wholly below it. Returns 0, or 1 (OFFSET_OUT_OF_RANGE) beyond the high watermark.
   */
  deleteRecordsBefore(offset: number): number {
    const target = offset === -1 ? this.nextOffset : offset;
    if (target < 0 || target > this.nextOffset) return ErrorCodes.OFFSET_OUT_OF_RANGE;
    if (target > this.startOffset) {
      this.advanceStartOffset(target);
      this.persistStartOffset();
    }
    return ErrorCodes.NONE;
  }

  /**
   * Drop the oldest whole batches while the log holds more than `retentionBytes` or their max
   * timestamp is older than `retentionMs` (-1 disables either limit). The newest batch is never
   * dropped, like Kafka's active segment.
   */
  enforceRetention(nowMs: number, retentionMs: number, retentionBytes: number): void {
    const before = this.startOffset;
    while (this.batches.count > 1) {
      const first = this.batches.first;
      const tooBig = retentionBytes >= 0 && this.batches.sizeBytes > retentionBytes;
      const tooOld = retentionMs >= 0 && nowMs - this.batches.maxTimestampAt(first) > retentionMs;
      if (!tooBig && !tooOld) break;
      this.advanceStartOffset(this.batches.lastOffsetAt(first) + 1);
    }
    if (this.startOffset !== before) this.persistStartOffset();
  }

  /**
   * Long-poll for Fetch max-wait: resolves once data at `offset` is readable (below the high
   * watermark, or below the last stable offset for `isolation` 1), after `timeoutMs`, when
   * `signal` aborts, or when the log closes. Resolves at once when data is already readable or
   * `offset` is out of range (the fetch that follows reports the error).
   */
  waitForData(offset: number, timeoutMs: number, signal?: AbortSignal, isolation: IsolationLevel = 0): Promise<void> {
    const limit = isolation === 1 ? this.lastStableOffset() : this.nextOffset;
    if (this.closed || timeoutMs <= 0 || offset < limit || offset < this.startOffset || offset > this.nextOffset) {
      return Promise.resolve();
    }
    return this.waiters.wait(offset, isolation, timeoutMs, signal);
  }

  sizeBytes(): number {
    return this.batches.sizeBytes;
  }

  /** Wake all waiters and release the file. Further appends throw. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.waiters.wakeAll();
    this.file?.close();
    this.file = null;
  }

  /** Idempotence state of one producer (epoch, last sequence, recent batches), if known. */
  producerState(producerId: number): ProducerEntry | undefined {
    return this.producers.get(producerId);
  }

  /** Aborted transaction ranges still reachable, in marker order. */
  abortedRanges(): AbortedRange[] {
    return this.txns.abortedRanges();
  }

  /** Open transactions: producer id -> first offset. */
  openTransactions(): Map<number, number> {
    return this.txns.openTransactions();
  }

  /** Number of pending `waitForData` calls (leak checks). */
  pendingWaiters(): number {
    return this.waiters.size;
  }

  private applyBatch(batch: AppendBatchInfo, baseOffset: number, lastSeq: number): void {
    const lastOffset = baseOffset + batch.lastOffsetDelta;
    this.batches.push(batch.bytes, baseOffset, lastOffset, batch.maxTimestamp);
    if (batch.producerId >= 0) {
      this.producers.recordAppend(batch.producerId, batch.producerEpoch, batch.baseSequence, lastSeq, baseOffset);
      if (batch.isTransactional) this.txns.onTransactionalAppend(batch.producerId, baseOffset);
    }
    this.nextOffset = lastOffset + 1;
  }

  private applyMarker(bytes: Buffer, producerId: number, producerEpoch: number, commit: boolean, offset: number, timestampMs: number): void {
    this.batches.push(bytes, offset, offset, timestampMs);
    this.producers.recordMarker(producerId, producerEpoch);
    this.txns.onMarker(producerId, commit, offset);
    this.nextOffset = offset + 1;
  }

  /** Rebuild state from one persisted frame (checks already passed when it was written). */
  private replayFrame(kind: FrameKind, payload: Buffer): void {
    const h = readBatchFields(payload);
    if (kind === FrameKind.Batch) {
      const lastSeq = h.producerId >= 0 ? lastSequence(h.baseSequence, h.lastOffsetDelta) : -1;
      this.applyBatch(readBatchInfo(payload, h), h.baseOffset, lastSeq);
    } else if (kind === FrameKind.CommitMarker || kind === FrameKind.AbortMarker) {
      this.applyMarker(payload, h.producerId, h.producerEpoch, kind === FrameKind.CommitMarker, h.baseOffset, h.maxTimestamp);
    }
  }

  private advanceStartOffset(offset: number): void {
    if (offset <= this.startOffset) return;
    this.startOffset = offset;
    while (this.batches.count > 0 && this.batches.lastOffsetAt(this.batches.first) < offset) this.batches.dropFirst();
    this.txns.dropAbortedBefore(offset);
  }

  private persistStartOffset(): void {
    if (this.startOffsetPath !== null) writeStartOffset(this.startOffsetPath, this.startOffset, this.fsync);
  }

  private concat(first: number, last: number, total: number): Buffer {
    const parts: Buffer[] = new Array(last - first + 1);
    for (let i = first; i <= last; i++) parts[i - first] = this.batches.bytesAt(i);
    return Buffer.concat(parts, total);
  }

  private appendResult(errorCode: number, baseOffset: number, logAppendTimeMs: number): AppendResult {
    return { errorCode, baseOffset, logAppendTimeMs, logStartOffset: this.startOffset };
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`partition log ${this.topic}-${this.partition} is closed`);
  }
}
