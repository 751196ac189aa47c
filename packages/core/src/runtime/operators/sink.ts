/**
 * Sink step: writes batches to a two-phase-commit writer; at a barrier it asks the writer
 * to prepare the commit and stores the committables in the checkpoint.
 */

import type { Sink, SinkCommitter, SinkContext, SinkWriter } from '../../sink/types.js';
import type { CheckpointBarrier, RescaledStep, RestoredPart, RestoredStep } from '../barrier.js';
import { andThen, type MaybePromise } from '../maybe-async.js';
import { RuntimeNode, StepError, type NodeServices } from '../node.js';
import { OptionsError } from '../../options/validate.js';

export class SinkNode extends RuntimeNode {
  private writer!: SinkWriter<unknown, unknown>;
  committer!: SinkCommitter<unknown>;

  constructor(
    name: string,
    readonly sink: Sink<unknown, unknown, unknown>,
    services: NodeServices,
    private readonly context: SinkContext,
  ) {
    super(name, 1, services, 'fail');
  }

  /**
   * On (re)start: re-commit what the restored checkpoint recorded (idempotent), abort what
   * later unfinished attempts left behind, then open the writer from its checkpointed state.
   */
  override async open(restored: RestoredStep | undefined): Promise<void> {
    try {
      await this.openSink(restored);
    } catch (err) {
      throw this.named(err);
    }
  }

  /** Sink errors name the step (connector errors add their cluster or file); option errors name their options already. */
  private named(err: unknown): unknown {
    return err instanceof StepError || err instanceof OptionsError ? err : new StepError(this.name, err);
  }

  private async openSink(restored: RestoredStep | undefined): Promise<void> {
    this.committer = await this.sink.createCommitter(this.context);
    if (restored?.rescale !== undefined) return this.openRescaled(restored.rescale);
    const committables = restored?.snapshot.committables ?? [];
    if (restored !== undefined && this.context.restoredCheckpointId !== undefined && committables.length > 0) {
      await this.committer.commit(this.context.restoredCheckpointId, committables);
    }
    await this.sink.abortLeftovers?.(this.context, committables);
    this.writer = await this.sink.createWriter(this.context, restored?.snapshot.writer);
  }

  /**
   * A rescale from N to M instances: old instance k's committables are re-committed (idempotent)
   * by new instance k mod M, so each once; the leftovers of old instances k >= M (which no new
   * instance takes the identity of) are aborted by the same instance, through a context naming k.
   * The writer gets its own state and every old instance's (`SinkRescale`).
   */
  private async openRescaled(rescale: RescaledStep): Promise<void> {
    const ctx = this.context;
    let own: RestoredPart | undefined;
    for (const part of rescale.parts) {
      if (part.subtask % ctx.parallelism !== ctx.subtask) continue;
      const committables = part.snapshot.committables ?? [];
      if (committables.length > 0) await this.committer.commit(part.checkpointId, committables);
      if (part.subtask === ctx.subtask) own = part;
      else await this.sink.abortLeftovers?.({ ...ctx, subtask: part.subtask }, committables);
    }
    await this.sink.abortLeftovers?.(ctx, own?.snapshot.committables ?? []);
    const writers = rescale.parts.map((p) => ({ subtask: p.subtask, checkpointId: p.checkpointId, state: p.snapshot.writer }));
    this.writer = await this.sink.createWriter(ctx, own?.snapshot.writer, { parallelism: rescale.parallelism, writers });
  }

  processBatch(_input: number, values: readonly unknown[], timestamps: readonly number[]): MaybePromise {
    this.metrics.recordsIn += values.length;
    const t0 = performance.now();
    let r: void | Promise<void>;
    try {
      r = this.writer.write(values, timestamps);
    } catch (err) {
      throw this.named(err);
    }
    if (r === undefined) {
      this.metrics.busyNs += (performance.now() - t0) * 1e6;
      return undefined;
    }
    return r.then(
      () => {
        this.metrics.backpressuredNs += (performance.now() - t0) * 1e6;
      },
      (err: unknown) => {
        throw this.named(err);
      },
    );
  }

  protected override handleWatermark(watermark: number): MaybePromise {
    return this.writer.onWatermark?.(watermark);
  }

  /** All inputs ended: the writer learns that nothing more comes (after the MAX watermark). */
  protected override finish(): MaybePromise {
    return andThen(super.finish(), () => {
      let r: void | Promise<void>;
      try {
        r = this.writer.endOfInput?.();
      } catch (err) {
        throw this.named(err);
      }
      return r?.catch((err: unknown) => {
        throw this.named(err);
      });
    });
  }

  protected override async snapshot(barrier: CheckpointBarrier): Promise<void> {
    const committables = await this.writer.prepareCommit(barrier.id).catch((err: unknown) => {
      throw this.named(err);
    });
    barrier.set(this.name, { committables, writer: this.writer.snapshotState?.(barrier.id) });
  }

  /** Publish the committables of a completed checkpoint. */
  commit(checkpointId: number, committables: unknown[]): Promise<void> {
    return this.committer.commit(checkpointId, committables).catch((err: unknown) => {
      throw this.named(err);
    });
  }

  override async close(): Promise<void> {
    await this.writer?.close();
    await this.committer?.close?.();
  }
}
