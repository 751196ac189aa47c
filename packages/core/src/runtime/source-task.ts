/**
 * Drives one source: its enumerator assigns splits, its reader is polled outside the mailbox,
 * and every poll result is pushed through the graph as one mailbox action. Split positions
 * are taken from the batches actually pushed, so a checkpoint never counts a record that is
 * still waiting to enter the graph.
 */

import type { Logger } from '../metrics/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import type { PollResult, Source, SourceBatch, SourceReader, SourceSplit, SplitEnumerator } from '../source/types.js';
import { SplitWatermarks } from '../time/split-watermarks.js';
import { MAX_WATERMARK, MIN_WATERMARK, type WatermarkStrategy } from '../time/types.js';
import type { CheckpointBarrier, RescaledStep, RestoredStep } from './barrier.js';
import type { Mailbox } from './mailbox.js';
import { eachInOrder, type MaybePromise } from './maybe-async.js';
import type { Downstream, SplitEvent } from './node.js';
import { noTimestamps } from './timestamps.js';
import { derivedOrigin, positionKey, setOrigin, type BatchOrigin, type SourcePosition } from './batch-origin.js';
import type { PoisonSkip } from './poison-tracker.js';
import type { DeadLetter } from '../api/functions.js';
import { errorText } from './node.js';

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
  /** Records of this source that failed the job repeatedly: skipped into the dead letters. */
  skips?: readonly PoisonSkip[];
  /** Where this source's own dead letters go (timestamp extractor failures, skipped records). */
  deadLetters?: Downstream;
  /** Called (inside the mailbox action) when this source ended. */
  onEnded?: () => void;
}

/** How often split watermarks and idleness are copied into the split metrics. */
const SPLIT_STATUS_INTERVAL_MS = 500;

/** Source state in a checkpoint. */
interface SourceSnapshot {
  splits: SourceSplit[];
  finished: string[];
  enumerator: unknown;
  noMoreSplits: boolean;
  /**
   * The source had ended (its input ended or a drain stopped it). A restore ends it again at
   * once: what its end caused downstream (an exchange's end markers) cannot be taken back.
   */
  ended?: boolean;
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
  /** Poison records to skip, by split and position key. */
  private readonly skips = new Map<string, Map<string, PoisonSkip>>();
  private deadLetterBuffer: DeadLetter[] = [];
  private splitStatusAt = 0;
  private deadLettersIdle = false;
  /** Restored from a checkpoint taken after this source ended: end again instead of reading. */
  private restoredEnded = false;

  constructor(private readonly o: SourceTaskOptions) {
    this.wm = o.watermarks ? new SplitWatermarks(o.watermarks) : undefined;
    this.stepMetrics = o.metrics.step(o.name);
    for (const skip of o.skips ?? []) {
      if (skip.position.source !== o.name) continue;
      let bySplit = this.skips.get(skip.position.split);
      if (bySplit === undefined) this.skips.set(skip.position.split, (bySplit = new Map()));
      bySplit.set(skip.key, skip);
    }
  }

  get name(): string {
    return this.o.name;
  }

  get hasEnded(): boolean {
    return this.ended;
  }

  /** See {@link Source.endsWithUpstream}. */
  get endsWithUpstream(): boolean {
    return this.o.source.endsWithUpstream === true;
  }

  /**
   * `honourEnded`: a source that had ended when the checkpoint was taken ends again (false for a
   * drained final checkpoint restored with `allowRestoreAfterDrain`: its sources read on).
   */
  async open(restored: RestoredStep | undefined, honourEnded = true): Promise<void> {
    const o = this.o;
    const snap = restored?.rescale !== undefined ? mergeSourceParts(restored.rescale, honourEnded) : (restored?.snapshot.operator as SourceSnapshot | undefined);
    this.restoredEnded = honourEnded && snap?.ended === true;
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
    if (fresh.length > 0) {
      this.announceSplits(fresh.map((f) => f.id), 'added');
      this.reader.addSplits(fresh);
    }
  }

  private removeSplits(ids: string[]): void {
    for (const id of ids) {
      this.assigned.delete(id);
      this.finished.delete(id);
      this.wm?.removeSplit(id);
      this.o.metrics.removeSplit(this.o.name, id);
    }
    this.reader.removeSplits(ids);
    // downstream timestamp assigners stop waiting for these splits (a mailbox action: it touches operators)
    this.announceSplits(ids, 'ended');
  }

  /** Tell downstream steps (a mailbox action: it touches operators; FIFO, so before any record of a new split). */
  private announceSplits(ids: string[], event: SplitEvent): void {
    void this.o.mailbox.submit(() => eachInOrder(ids, (id) => this.splitEvent(id, event))).catch(() => undefined);
  }

  private splitEvent(split: string, event: SplitEvent): MaybePromise {
    return eachInOrder(this.o.downstream, (d) => d.node.onSplitEvent(this.o.name, split, event));
  }

  /** Start the poll loop. Resolves when the source ended or stopped reading. */
  start(): Promise<void> {
    this.loopDone = this.restoredEnded ? this.o.mailbox.submit(() => this.end()) : this.loop();
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
    if (!this.deadLettersIdle && this.o.deadLetters !== undefined) {
      // this source's dead-letter input carries no event time: it must not hold the dead-letter stream's watermark back
      this.deadLettersIdle = true;
      const dl = this.o.deadLetters;
      steps.push(() => dl.node.onWatermark(dl.input, MIN_WATERMARK, true));
    }
    const now = this.o.now();
    for (const polled of result.batches) {
      if (!this.assigned.has(polled.splitId)) continue; // split removed meanwhile
      const batch = this.skips.size > 0 ? this.skipPoison(polled, now) : polled;
      const n = batch.records.length;
      let origin = this.originOf(batch);
      let records = batch.records;
      let timestamps: number[];
      if (this.wm === undefined) timestamps = batch.timestamps ?? (noTimestamps(n) as number[]);
      else {
        try {
          // the assigner sees the source's own timestamps (Flink's recordTimestamp), e.g. the TestDriver's
          timestamps = this.wm.onRecords(batch.splitId, records, now, new Array<number>(n), batch.timestamps);
        } catch {
          // a record's timestamp cannot be read: dead-letter it, keep the rest (slow path, failures only)
          const failedOrigin = origin;
          const kept = this.wm.onRecordsSkipping(batch.splitId, records, now, batch.timestamps, (i, err) => {
            this.stepMetrics.errors++;
            this.deadLetter(`timestamp extractor failed: ${errorText(err)}`, records[i], undefined, failedOrigin.positionOf(i), now, this.o.name);
          });
          ({ records, timestamps } = kept);
          origin = derivedOrigin(origin, kept.from);
        }
      }
      if (batch.watermark !== undefined) this.wm?.advanceSplit(batch.splitId, batch.watermark, now);
      setOrigin(records, origin);
      this.assigned.set(batch.splitId, batch.splitState);
      this.stepMetrics.recordsOut += records.length;
      if (records.length > 0) steps.push(() => this.emitBatch(records, timestamps));
    }
    if (this.deadLetterBuffer.length > 0) steps.unshift(() => this.flushDeadLetters());
    for (const id of result.finishedSplits ?? []) {
      this.finished.add(id);
      this.wm?.finishSplit(id);
      steps.push(() => this.splitEvent(id, 'ended'));
    }
    const wmStep = this.watermarkStep(now);
    if (wmStep !== undefined) steps.push(wmStep);
    if (this.isExhausted()) steps.push(() => this.end());
    return eachInOrder(steps, (s) => s());
  }

  private originOf(batch: SourceBatch<unknown, SourceSplit>): BatchOrigin {
    const source = this.o.name;
    const split = batch.splitId;
    const detail = batch.positionOf;
    return { source, split, positionOf: detail === undefined ? () => ({ source, split }) : (i) => ({ source, split, ...detail.call(batch, i) }) };
  }

  /** Drop records that failed the job repeatedly (known by position) into the dead letters. */
  private skipPoison(batch: SourceBatch<unknown, SourceSplit>, now: number): SourceBatch<unknown, SourceSplit> {
    const wanted = this.skips.get(batch.splitId);
    if (wanted === undefined || batch.positionOf === undefined) return batch;
    const origin = this.originOf(batch);
    const keep: number[] = [];
    for (let i = 0; i < batch.records.length; i++) {
      const position = origin.positionOf(i);
      const skip = wanted.get(positionKey(position));
      if (skip === undefined) keep.push(i);
      else {
        this.o.logger.error({ step: skip.step, position, failures: skip.failures, error: skip.error }, 'skipped a record that failed the job repeatedly: sent to the dead letters');
        this.deadLetter(`skipped after failing the job ${skip.failures} times in step '${skip.step}': ${skip.error}`, batch.records[i], batch.timestamps?.[i], position, now, skip.step);
      }
    }
    if (keep.length === batch.records.length) return batch;
    const pick = <X>(xs: readonly X[] | undefined) => (xs === undefined ? undefined : keep.map((i) => xs[i]!));
    const positionOf = batch.positionOf;
    return { ...batch, records: pick(batch.records)!, timestamps: pick(batch.timestamps), positionOf: (j) => positionOf.call(batch, keep[j]!) };
  }

  private deadLetter(error: string, record: unknown, timestamp: number | undefined, position: SourcePosition, now: number, step: string): void {
    this.stepMetrics.deadLetters++;
    const dl: DeadLetter = { step, error, record, position, atMs: now };
    if (timestamp !== undefined) dl.timestamp = timestamp;
    this.deadLetterBuffer.push(dl);
  }

  private flushDeadLetters(): MaybePromise {
    const letters = this.deadLetterBuffer;
    this.deadLetterBuffer = [];
    const target = this.o.deadLetters;
    if (target === undefined) {
      for (const dl of letters) this.o.logger.error({ step: dl.step, error: dl.error, position: dl.position }, 'dead letter (no dead-letter sink configured)');
      return undefined;
    }
    return target.node.processBatch(target.input, letters, noTimestamps(letters.length));
  }

  /** The main downstream plus the dead-letter input (barriers and end of input go to both). */
  private allDownstream(): Downstream[] {
    return this.o.deadLetters === undefined ? this.o.downstream : [...this.o.downstream, this.o.deadLetters];
  }

  private emitBatch(records: readonly unknown[], timestamps: readonly number[]): MaybePromise {
    return eachInOrder(this.o.downstream, (d) => d.node.processBatch(d.input, records, timestamps));
  }

  private watermarkStep(now: number): (() => MaybePromise) | undefined {
    if (this.wm === undefined) return undefined;
    const status = this.wm.poll(now);
    this.stepMetrics.watermark = status.watermark;
    if (now - this.splitStatusAt >= SPLIT_STATUS_INTERVAL_MS) {
      this.splitStatusAt = now;
      for (const s of this.wm.perSplitWatermarks()) {
        const m = this.o.metrics.split(this.o.name, s.splitId);
        m.watermark = s.watermark;
        m.idle = s.idle;
      }
    }
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
    // nothing more is polled: stop fetching ahead (the reader stays open for checkpoint notifications)
    const live = [...this.assigned.keys()].filter((id) => !this.finished.has(id));
    if (live.length > 0) this.reader.pauseSplits(live);
    const done = eachInOrder(this.allDownstream(), (d) => d.node.onEnd(d.input));
    this.o.onEnded?.();
    return done;
  }

  /** Checkpoint: record split positions and enumerator state, then send the barrier on. */
  injectBarrier(barrier: CheckpointBarrier): MaybePromise {
    const snap: SourceSnapshot = {
      splits: [...this.assigned.values()],
      finished: [...this.finished],
      enumerator: this.enumerator.snapshotState(barrier.id),
      noMoreSplits: this.noMoreSplits,
      ...(this.ended ? { ended: true } : {}),
    };
    barrier.set(this.o.name, { operator: snap });
    if (this.ended) return undefined; // downstream saw end-of-input; it completes the barrier itself
    return eachInOrder(this.allDownstream(), (d) => d.node.onBarrier(d.input, barrier));
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

/**
 * A rescale: the splits (with positions) every old instance held, and the enumerator state of
 * old instance 0. The enumerator sees the old parallelism in its state and hands back the
 * splits this instance does not own (as the Kafka source does); each split was held by exactly
 * one old instance, so its position is the one that instance checkpointed.
 */
function mergeSourceParts(rescale: RescaledStep, honourEnded: boolean): SourceSnapshot | undefined {
  const snaps = rescale.parts.map((p) => p.snapshot.operator as SourceSnapshot | undefined).filter((x): x is SourceSnapshot => x !== undefined);
  if (snaps.length === 0) return undefined;
  const splits = new Map<string, SourceSplit>();
  for (const snap of snaps) for (const split of snap.splits) if (!splits.has(split.id)) splits.set(split.id, split);
  // the splits of an old instance whose source had ended (drained) stay ended on their new owner
  const endedSplits = honourEnded ? snaps.filter((x) => x.ended === true).flatMap((x) => x.splits.map((sp) => sp.id)) : [];
  return {
    splits: [...splits.values()],
    finished: [...new Set([...snaps.flatMap((x) => x.finished), ...endedSplits])],
    enumerator: snaps[0]!.enumerator,
    noMoreSplits: snaps.every((x) => x.noMoreSplits),
    ...(honourEnded && snaps.every((x) => x.ended === true) ? { ended: true } : {}),
  };
}
