/**
 * Source contract, after Flink's FLIP-27: a source is split into independently readable
 * splits; an enumerator discovers splits and assigns them (at start or at any time later);
 * a reader reads the splits it was given. Split positions live in checkpoints, so a
 * restored job resumes every split exactly where the last completed checkpoint left it.
 */

/** A unit of work a reader can read independently (a Kafka partition, a file, a range). */
export interface SourceSplit {
  /** Stable id, e.g. `cluster-a/orders/3`. */
  readonly id: string;
}

/** What a reader hands to the runtime in one poll: records of ONE split, in order. */
export interface SourceBatch<T, S extends SourceSplit = SourceSplit> {
  splitId: string;
  records: T[];
  /** Optional per-record event timestamps (ms); otherwise the watermark strategy assigns them. */
  timestamps?: number[];
  /** The split's state after the last record of this batch (what a checkpoint stores). */
  splitState: S;
  /**
   * The source position of record `i` (e.g. `{ offset: '42' }`, JSON-serialisable). Dead letters
   * carry it, and a record that fails the job repeatedly is recognised and skipped by it.
   */
  positionOf?(index: number): Record<string, unknown>;
  /**
   * A watermark the source itself knows for this split after this batch (Flink's
   * `SourceOutput.emitWatermark`), e.g. the end of a file partition that was read completely.
   * The split's watermark becomes the maximum of this and the strategy's; a batch may carry
   * no records and only this. Ignored when the source has no watermark strategy.
   */
  watermark?: number;
}

/** Result of one `poll`: some batches, and splits that reached their end (bounded splits). */
export interface PollResult<T, S extends SourceSplit = SourceSplit> {
  batches: SourceBatch<T, S>[];
  finishedSplits?: string[];
}

export interface SourceReaderContext {
  /** Index and count of this parallel instance (scale-out over processes). */
  readonly subtask: number;
  readonly parallelism: number;
  /** Ask the enumerator for more splits (pull-based sources such as file lists). */
  requestSplit(): void;
  /** Report per-split backlog (records not yet read), for metrics and autoscaling. */
  reportPendingRecords(splitId: string, pending: number): void;
  readonly logger: import('../metrics/logger.js').Logger;
}

export interface SourceReader<T, S extends SourceSplit = SourceSplit> {
  start(): Promise<void>;
  addSplits(splits: S[]): void;
  /** Splits removed by the enumerator (e.g. a topic deleted, a cluster removed). */
  removeSplits(splitIds: string[]): void;
  /**
   * Return what is available now, waiting at most `maxWaitMs` when nothing is. Must return
   * promptly after `wakeup()` so checkpoints and stops are not delayed.
   */
  poll(maxWaitMs: number): Promise<PollResult<T, S>>;
  /** Interrupt a waiting `poll`. */
  wakeup(): void;
  /** Watermark alignment and backpressure: stop/restart fetching single splits. */
  pauseSplits(splitIds: string[]): void;
  resumeSplits(splitIds: string[]): void;
  /** A checkpoint including this reader's state completed (e.g. commit offsets to Kafka for lag monitors). */
  notifyCheckpointComplete?(checkpointId: number, splits: S[]): Promise<void> | void;
  close(): Promise<void>;
}

export interface SplitEnumeratorContext<S extends SourceSplit> {
  readonly subtask: number;
  readonly parallelism: number;
  /** Hand splits to the reader (any time, from any callback). */
  assignSplits(splits: S[]): void;
  /** Take splits away from the reader (their last positions stay in the enumerator's care). */
  removeSplits(splitIds: string[]): void;
  /** No split will ever be assigned again; the source ends once its splits finish. */
  signalNoMoreSplits(): void;
  /** Splits currently assigned to the reader, with their latest checkpointed positions. */
  assignedSplits(): ReadonlyMap<string, S>;
  readonly logger: import('../metrics/logger.js').Logger;
}

export interface SplitEnumerator<S extends SourceSplit, E> {
  /** Begin discovery; assign initial splits. Periodic discovery keeps running until `close`. */
  start(): Promise<void>;
  /** The reader asked for work (pull-based sources). */
  handleSplitRequest?(): void;
  /** Splits come back after a failure without a checkpoint that owns them. */
  addSplitsBack(splits: S[]): void;
  /** Enumerator state for the checkpoint (e.g. discovered topics, removed-cluster offsets). */
  snapshotState(checkpointId: number): E;
  close(): Promise<void>;
}

export interface Source<T, S extends SourceSplit = SourceSplit, E = unknown> {
  /** Bounded sources end the job once every split is finished and no more will come. */
  readonly boundedness: 'bounded' | 'unbounded';
  /**
   * The source's records are written by upstream steps of this job, possibly on other instances
   * (a repartition topic): it ends by itself once every writer ended its input, never because
   * this instance is told to stop. A `drain` therefore stops every other source at once (their
   * MAX watermark reaches the writers) but lets these keep reading until they end, and only then
   * takes the final checkpoint; `suspend` and `cancel` stop them at once like any source. While
   * such a source still reads, the runtime takes a checkpoint right after any other source ends
   * (also when periodic checkpoints are off), so what sinks write at the end of their input (an
   * exchange's end markers) commits and other instances can see it. Use with `boundedness: 'bounded'`.
   */
  readonly endsWithUpstream?: boolean;
  createEnumerator(context: SplitEnumeratorContext<S>, restored?: { state: E; assigned: S[] }): SplitEnumerator<S, E>;
  createReader(context: SourceReaderContext): SourceReader<T, S>;
}
