/**
 * A checkpoint barrier as it travels through the graph. Each step adds its state as the
 * barrier passes; slow parts (persisting keyed state) are added as promises so the barrier
 * keeps moving and processing resumes while they finish.
 */

import type { StateFiles } from '../state/types.js';

export type CheckpointKind = 'checkpoint' | 'savepoint';

/** What one step contributes to a checkpoint (JSON-serialisable). */
export interface StepSnapshot {
  /** Operator state (e.g. timers, source split positions). */
  operator?: unknown;
  /** Keyed state handle returned by the backend's persist. */
  keyed?: Record<string, unknown>;
  /** Sinks: committables to publish after the checkpoint completes, and writer state. */
  committables?: unknown[];
  writer?: unknown;
}

/** What a step gets back on restore: its snapshot and the files it wrote then. */
export interface RestoredStep {
  snapshot: StepSnapshot;
  files: StateFiles;
  /**
   * Set when the job restores a savepoint set written by another number of instances (a
   * rescale): every old instance's part of this step, in old-subtask order. `snapshot` and
   * `files` are then those of the first part.
   */
  rescale?: RescaledStep;
}

/** One old instance's part of a step in a rescale. */
export interface RestoredPart {
  snapshot: StepSnapshot;
  files: StateFiles;
  /** Id of the checkpoint or savepoint the part comes from. */
  checkpointId: number;
  /** The instance that wrote it, of `RescaledStep.parallelism`. */
  subtask: number;
}

export interface RescaledStep {
  /** Instance count of the run that wrote the parts. */
  parallelism: number;
  parts: RestoredPart[];
}

export class CheckpointBarrier {
  readonly steps = new Map<string, StepSnapshot>();
  private readonly pending: Promise<void>[] = [];
  readonly startedAt = performance.now();

  constructor(
    readonly id: number,
    readonly kind: CheckpointKind,
    /** Files of one step in this checkpoint. */
    readonly filesFor: (step: string) => StateFiles,
  ) {}

  set(step: string, part: StepSnapshot): void {
    this.steps.set(step, { ...this.steps.get(step), ...part });
  }

  /** Register an asynchronous part; the checkpoint completes only after it resolves. */
  addAsync(step: string, work: Promise<Partial<StepSnapshot>>): void {
    this.pending.push(work.then((part) => this.set(step, part)));
  }

  /** Resolves when every asynchronous part finished (rejects if one failed). */
  async persisted(): Promise<void> {
    // parts may be added while earlier ones finish; loop until stable
    let done = 0;
    while (done < this.pending.length) {
      const batch = this.pending.slice(done);
      done = this.pending.length;
      await Promise.all(batch);
    }
  }
}
