/**
 * Contract between the broker's request handlers and the partition log.
 * Offsets, producer ids and timestamps are JS numbers (the broker never creates values beyond 2^53).
 */

/** One RecordBatch (magic 2) as received from a producer, stored opaquely. */
export interface AppendBatchInfo {
  /** The whole batch bytes (baseOffset field will be patched on append). */
  bytes: Buffer;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  lastOffsetDelta: number;
  maxTimestamp: number;
  isTransactional: boolean;
  isControl: boolean;
}

export interface AppendResult {
  /** Kafka error code; 0 on success. Duplicate of a recent batch returns 0 with the original offset. */
  errorCode: number;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
}

export type IsolationLevel = 0 | 1; // 0 read_uncommitted, 1 read_committed

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
}

export interface ReadResult {
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** Whole batches starting at the batch containing fetchOffset, up to maxBytes (at least one batch). */
  records: Buffer | null;
  /** The offset after the last returned batch; `fetchOffset` when no batch is returned. */
  nextOffset: number;
  /** For read_committed: aborted transactions overlapping the returned range, sorted by firstOffset. */
  abortedTransactions: AbortedTxn[] | null;
}

export interface PartitionLogApi {
  readonly topic: string;
  readonly partition: number;
  /** Append a producer batch (idempotence / epoch checks inside). */
  append(batch: AppendBatchInfo, nowMs: number): AppendResult;
  /** Append a transaction marker (control batch) for `producerId` and close its open transaction here. */
  appendTxnMarker(producerId: number, producerEpoch: number, commit: boolean, coordinatorEpoch: number, nowMs: number): number;
  read(fetchOffset: number, maxBytes: number, isolation: IsolationLevel): ReadResult;
  highWatermark(): number;
  lastStableOffset(): number;
  logStartOffset(): number;
  /** ListOffsets by timestamp: first record with timestamp >= ts (see PartitionLog), or null. */
  offsetForTimestamp(timestampMs: number): { offset: number; timestamp: number } | null;
  /** DeleteRecords: move the log start offset (returns error code). */
  deleteRecordsBefore(offset: number): number;
  /** Retention by size/time; called periodically. */
  enforceRetention(nowMs: number, retentionMs: number, retentionBytes: number): void;
  /**
   * Resolves when the high watermark (or, for `isolation` 1, the LSO) moves past `offset`, after
   * `timeoutMs`, or when `signal` aborts. `isolation` defaults to 0 (read_uncommitted).
   */
  waitForData(offset: number, timeoutMs: number, signal?: AbortSignal, isolation?: IsolationLevel): Promise<void>;
  /** Bytes currently stored. */
  sizeBytes(): number;
  close(): Promise<void>;
}
