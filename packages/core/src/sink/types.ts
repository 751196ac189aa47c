/**
 * Two-phase-commit sink contract, after Flink's Sink V2 / TwoPhaseCommittingSink:
 * - `write` takes batches;
 * - at a checkpoint barrier `prepareCommit` flushes and returns committables (pending files,
 *   open transactions) that are stored in the checkpoint;
 * - once the checkpoint is durable, the committer commits them;
 * - on restore, the committables of the last completed checkpoint are committed again
 *   (commit must be idempotent) and leftovers of later, unfinished attempts are aborted.
 */

import type { Logger } from '../metrics/logger.js';

export interface SinkContext {
  /** Stable step name of the sink (part of file names / transactional ids). */
  readonly stepName: string;
  readonly subtask: number;
  readonly parallelism: number;
  /** Checkpoint the job restored from, if any; later ids are leftovers. */
  readonly restoredCheckpointId: number | undefined;
  /** Next checkpoint id that will be used (ids only grow, also across restarts). */
  readonly nextCheckpointId: number;
  readonly logger: Logger;
  /**
   * The pipeline's periodic checkpoint interval (0: only a final checkpoint). Sinks read it here
   * (e.g. to check a transaction timeout) instead of repeating it as an option.
   */
  readonly checkpointIntervalMs: number;
  /** A checkpoint not complete after this long is abandoned. */
  readonly checkpointTimeoutMs: number;
}

export interface SinkWriter<T, C> {
  /** Accept a batch. May buffer; a returned promise applies backpressure. */
  write(records: readonly T[], timestamps: readonly number[]): void | Promise<void>;
  /** Event time moved (file sinks close buckets, partition committers track readiness). */
  onWatermark?(watermark: number): void | Promise<void>;
  /**
   * Every input of the sink ended (a bounded end or a drain), after the MAX watermark: nothing
   * more will be written in this run. What the writer writes here commits with the next
   * checkpoint (e.g. an exchange's end markers).
   */
  endOfInput?(): void | Promise<void>;
  /** Barrier: flush and hand over what the committer must publish once the checkpoint completes. */
  prepareCommit(checkpointId: number): Promise<C[]>;
  /** Writer state kept in the checkpoint (e.g. in-progress buffers, spill positions). */
  snapshotState?(checkpointId: number): unknown;
  close(): Promise<void>;
}

export interface SinkCommitter<C> {
  /** Publish committables; called again with the same ones after a restore: must be idempotent. */
  commit(checkpointId: number, committables: C[]): Promise<void>;
  close?(): Promise<void>;
}

/**
 * What a writer learns when the job restored a savepoint set written by another number of
 * instances (a rescale from `parallelism` to `context.parallelism`).
 */
export interface SinkRescale<W> {
  /** Instance count of the run that wrote the states. */
  readonly parallelism: number;
  /**
   * Every old instance's writer state, in old-subtask order (`state` undefined where it kept
   * none). The new instance `subtask` takes over the states of old instances k with
   * k mod parallelism = subtask (its own, passed as `restoredState` too, and those of instances
   * that no longer exist); the others are for reading only (e.g. the lowest watermark: the
   * sources' splits move between instances too).
   */
  readonly writers: ReadonlyArray<{ readonly subtask: number; readonly checkpointId: number; readonly state: W | undefined }>;
}

export interface Sink<T, C = unknown, W = unknown> {
  /** `rescale`: set on the first start after a rescale (see `SinkRescale`). */
  createWriter(context: SinkContext, restoredState?: W, rescale?: SinkRescale<W>): Promise<SinkWriter<T, C>>;
  createCommitter(context: SinkContext): Promise<SinkCommitter<C>>;
  /**
   * Called once on (re)start, after the committer re-committed the restored committables:
   * remove or abort what attempts after `restoredCheckpointId` left behind.
   */
  abortLeftovers?(context: SinkContext, restoredCommittables: C[]): Promise<void>;
}
