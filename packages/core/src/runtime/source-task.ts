/**
 * Drives one source: its enumerator assigns splits, its reader is polled outside the mailbox,
 * and every poll result is pushed through the graph as one mailbox action. Split positions
 * are taken from the batches actually pushed, so a checkpoint never counts a record that is
 * still waiting to enter the graph.
 */

import type { Logger } from '../metrics/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import type { PollResult, Source, SourceReader, SourceSplit, SplitEnumerator } from '../source/types.js';
import { SplitWatermarks } from '../time/split-watermarks.js';
import { MAX_WATERMARK, type WatermarkStrategy } from '../time/types.js';
import type { CheckpointBarrier, RestoredStep } from './barrier.js';
import type { Mailbox } from './mailbox.js';
import { eachInOrder, type MaybePromise } from './maybe-async.js';
import type { Downstream } from './node.js';
import { noTimestamps } from './timestamps.js';

export interface SourceTaskOptions {
  name: string;
  source: Source<unknown, SourceSplit, unknown>;
  watermarks?: WatermarkStrategy<unknown>;
  downstream: Downstream[];
  mailbox: Mailbox;
  metrics: MetricsRegistry;
  logger: Logger;
  subtask: number;
  parallelism: number;
  now: () => number;
  /** Longest a poll may wait when no data is there (bounds checkpoint and stop latency). */
  pollTimeoutMs: number;
}

/** Source state in a checkpoint. */
interface SourceSnapshot {
  splits: SourceSplit[];
  finished: string[];
  enumerator: unknown;
  noMoreSplits: boolean;
}

export class SourceTask {
  private reader!: SourceReader<unknown, SourceSplit>;
  private enumerator!: SplitEnumerator<SourceSplit, unknown>;
  private readonly assigned = new Map<string, SourceSplit>();
  private readonly finished = new Set<string>();
  private noMoreSplits = false;
  private readonly wm: SplitWatermarks<unknown> | undefined;
  private readonly stepMetrics;
  private reading = true;
  private ended = false;
  private loopDone: Promise<void> | undefined;

  constructor(private readonly o: SourceTaskOptions) {
    this.wm = o.watermarks ? new SplitWatermarks(o.watermarks) : undefined;
    this.stepMetrics = o.metrics.step(o.name);
  }

  get name(): string {
    return this.o.name;
  }

  get hasEnded(): boolean {
    return this.ended;
  }

  async open(restored: RestoredStep | undefined): Promise<void> {
    const o = this.o;
    const snap = restored?.snapshot.operator as SourceSnapshot | undefined;
    this.reader = o.source.createReader({
      subtask: o.subtask,
      parallelism: o.parallelism,
      logger: o.logger,
      requestSplit: () => this.enumerator.handleSplitRequest?.(),
      reportPendingRecords: (splitId, pending) => {
        o.metrics.split(o.name, splitId).pendingRecords = pending;
      },
    });
    await this.reader.start();
    const task = this;
    this.enumerator = o.source.createEnumerator(
      {
        subtask: o.subtask,
        parallelism: o.parallelism,
        logger: o.logger,
        assignSplits(splits) {
          task.addSplits(splits);
        },
        removeSplits(ids) {
          task.removeSplits(ids);
        },
        signalNoMoreSplits() {
          task.noMoreSplits = true;
          task.reader.wakeup();
        },
        assignedSplits: () => this.assigned,
      },
      snap ? { state: snap.enumerator, assigned: snap.splits } : undefined,
    );
    if (snap) {
      for (const id of snap.finished) this.finished.add(id);
      this.noMoreSplits = snap.noMoreSplits;
      this.addSplits(snap.splits);
    }
    await this.enumerator.start();
  }

  private addSplits(splits: SourceSplit[]): void {
    const fresh: SourceSplit[] = [];
    for (const s of splits) {
      if (this.assigned.has(s.id)) continue;
      this.assigned.set(s.id, s);
      if (this.finished.has(s.id)) continue;
      this.wm?.addSplit(s.id, this.o.now());
      fresh.push(s);
    }
    if (fresh.length > 0) this.reader.addSplits(fresh);
  }

  private removeSplits(ids: string[]): void {
    for (const id of ids) {
      this.assigned.delete(id);
      this.finished.delete(id);
      this.wm?.removeSplit(id);
      this.o.metrics.removeSplit(this.o.name, id);
    }
    this.reader.removeSplits(ids);
  }

  /** Start the poll loop. Resolves when the source ended or stopped reading. */
  start(): Promise<void> {
    this.loopDone = this.loop();
    return this.loopDone;
  }

  private async loop(): Promise<void> {
    const o = this.o;
    while (this.reading && !this.ended) {
      const result = await this.reader.poll(o.pollTimeoutMs);
      if (!this.reading) break; // records polled after a stop request are not pushed
      await o.mailbox.submit(() => this.push(result));
    }
  }

  private push(result: PollResult<unknown, SourceSplit>): MaybePromise {
    const steps: Array<() => MaybePromise> = [];
    const now = this.o.now();
    for (const batch of result.batches) {
      if (!this.assigned.has(batch.splitId)) continue; // split removed meanwhile
      const n = batch.records.length;
      let timestamps: number[];
      if (this.wm !== undefined) timestamps = this.wm.onRecords(batch.splitId, batch.records, now, new Array<number>(n));
      else timestamps = batch.timestamps ?? (noTimestamps(n) as number[]);
      this.assigned.set(batch.splitId, batch.splitState);
      this.stepMetrics.recordsOut += n;
      if (n > 0) steps.push(() => this.emitBatch(batch.records, timestamps));
    }
    for (const id of result.finishedSplits ?? []) {
      this.finished.add(id);
      this.wm?.finishSplit(id);
    }
    const wmStep = this.watermarkStep(now);
    if (wmStep !== undefined) steps.push(wmStep);
    if (this.isExhausted()) steps.push(() => this.end());
    return eachInOrder(steps, (s) => s());
  }

  private emitBatch(records: readonly unknown[], timestamps: readonly number[]): MaybePromise {
    return eachInOrder(this.o.downstream, (d) => d.node.processBatch(d.input, records, timestamps));
  }

  private watermarkStep(now: number): (() => MaybePromise) | undefined {
    if (this.wm === undefined) return undefined;
    const status = this.wm.poll(now);
    this.stepMetrics.watermark = status.watermark;
    if (!status.changed) return undefined;
    return () => eachInOrder(this.o.downstream, (d) => d.node.onWatermark(d.input, status.watermark, status.idle));
  }

  /** Bounded sources end once no split can come and every split is finished. */
  private isExhausted(): boolean {
    if (this.o.source.boundedness !== 'bounded' || !this.noMoreSplits || this.ended) return false;
    for (const id of this.assigned.keys()) if (!this.finished.has(id)) return false;
    return true;
  }

  /** End of input: downstream steps take it as the MAX watermark (firing every timer), then end. */
  end(): MaybePromise {
    if (this.ended) return undefined;
    this.ended = true;
    this.reading = false;
    this.stepMetrics.watermark = MAX_WATERMARK;
    return eachInOrder(this.o.downstream, (d) => d.node.onEnd(d.input));
  }

  /** Checkpoint: record split positions and enumerator state, then send the barrier on. */
  injectBarrier(barrier: CheckpointBarrier): MaybePromise {
    const snap: SourceSnapshot = {
      splits: [...this.assigned.values()],
      finished: [...this.finished],
      enumerator: this.enumerator.snapshotState(barrier.id),
      noMoreSplits: this.noMoreSplits,
    };
    barrier.set(this.o.name, { operator: snap });
    if (this.ended) return undefined; // downstream saw end-of-input; it completes the barrier itself
    return eachInOrder(this.o.downstream, (d) => d.node.onBarrier(d.input, barrier));
  }

  /** `snapshot` is what this source stored in the completed checkpoint. */
  async notifyCheckpointComplete(checkpointId: number, snapshot: unknown): Promise<void> {
    const snap = snapshot as SourceSnapshot | undefined;
    await this.reader.notifyCheckpointComplete?.(checkpointId, snap?.splits ?? []);
  }

  /** Stop polling (drain, savepoint, cancel); wakes a waiting poll. */
  async stopReading(): Promise<void> {
    this.reading = false;
    this.reader?.wakeup();
    await this.loopDone;
  }

  /** Wake a waiting poll so a pending checkpoint or stop is handled promptly. */
  wakeup(): void {
    this.reader?.wakeup();
  }

  /** Per-split watermarks for the job's alignment update (undefined without watermarks). */
  alignmentReport() {
    return this.wm?.perSplitWatermarks();
  }

  /** Alignment decisions for this source (also applied when another source of the group decided). */
  applyAlignment(pause: string[], resume: string[]): void {
    if (pause.length > 0) {
      for (const id of pause) {
        this.wm?.pauseSplit(id);
        this.o.metrics.split(this.o.name, id).paused = true;
      }
      this.reader.pauseSplits(pause);
    }
    if (resume.length > 0) {
      for (const id of resume) {
          this.wm?.resumeSplit(id, this.o.now());
        this.o.metrics.split(this.o.name, id).paused = false;
      }
      this.reader.resumeSplits(resume);
    }
  }

  async close(): Promise<void> {
    await this.enumerator?.close();
    await this.reader?.close();
  }
}
