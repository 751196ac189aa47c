/**
 * The test driver's source: every split is a log of the records the test piped in, so it is
 * replayable like a Kafka partition (a restore resumes each split at its checkpointed offset).
 * Its reader returns what is queued at once and otherwise waits for a wake-up; the driver
 * learns that everything queued went through the graph when the reader is back in `poll`
 * with nothing left (see `caughtUp`).
 */

import type { PollResult, Source, SourceBatch, SourceReader, SourceSplit, SplitEnumerator, SplitEnumeratorContext } from '../source/types.js';
import { MIN_WATERMARK, type WatermarkStrategy } from '../time/types.js';

/** A record the test feeds in; without `timestamp` it gets the driver's processing time. */
export interface TestRecord<T> {
  /** The record. */
  value: T;
  /** Its event time in ms (default: the driver's processing time). */
  timestamp?: number;
}

interface TestSplit extends SourceSplit {
  /** Records of the split's log already read. */
  readonly offset: number;
}

export class TestSource<T> implements Source<T, TestSplit, null> {
  readonly boundedness = 'unbounded' as const;
  private readonly logs = new Map<string, Array<{ value: T; timestamp: number }>>();
  private watermark = MIN_WATERMARK;
  private reader: TestReader<T> | undefined;
  /** `caughtUp` calls made before the (next) job created its reader. */
  private awaitingReader: Array<() => void> = [];

  constructor(readonly splitIds: readonly string[]) {
    for (const id of splitIds) this.logs.set(id, []);
  }

  /** Event time comes from the piped timestamps; the watermark only moves by `advanceWatermark`. */
  readonly watermarks: WatermarkStrategy<T> = {
    timestampAssigner: (_record, sourceTimestamp) => sourceTimestamp ?? MIN_WATERMARK,
    createGenerator: () => ({ onEvent: () => undefined, currentWatermark: () => this.watermark }),
  };

  append(split: string, records: ReadonlyArray<{ value: T; timestamp: number }>): void {
    const log = this.logs.get(split);
    if (log === undefined) throw new Error(`unknown split '${split}' (the input's splits: ${this.splitIds.join(', ')})`);
    log.push(...records);
    this.reader?.tick();
  }

  setWatermark(watermark: number): void {
    if (watermark > this.watermark) this.watermark = watermark;
  }

  logOf(split: string): ReadonlyArray<{ value: T; timestamp: number }> {
    return this.logs.get(split) ?? [];
  }

  /** Make the reader return one (possibly empty) poll, so the source re-evaluates its watermark. */
  tick(): void {
    this.reader?.tick();
  }

  /** Resolves once the reader waits in `poll` with nothing queued and no tick pending. */
  caughtUp(): Promise<void> {
    if (this.reader !== undefined) return this.reader.caughtUp();
    return new Promise<void>((resolve) => this.awaitingReader.push(resolve)).then(() => this.caughtUp());
  }

  /** A job ended: the next one creates a new reader (from its checkpointed offsets). */
  detachReader(): void {
    this.reader = undefined;
  }

  createEnumerator(ctx: SplitEnumeratorContext<TestSplit>, restored?: { state: null; assigned: TestSplit[] }): SplitEnumerator<TestSplit, null> {
    return {
      start: async () => {
        // a restored job gets its splits (with offsets) from the checkpoint
        if (restored === undefined) ctx.assignSplits(this.splitIds.map((id) => ({ id, offset: 0 })));
      },
      addSplitsBack: (splits) => ctx.assignSplits(splits),
      snapshotState: () => null,
      close: async () => undefined,
    };
  }

  createReader(): SourceReader<T, TestSplit> {
    const previous = this.reader;
    this.reader = new TestReader(this);
    // a restarted attempt (restart strategy) replaces the reader: who waited on the old one waits on this one
    previous?.handOver(() => this.caughtUp());
    for (const resolve of this.awaitingReader.splice(0)) resolve();
    return this.reader;
  }
}

class TestReader<T> implements SourceReader<T, TestSplit> {
  private readonly offsets = new Map<string, number>();
  private readonly paused = new Set<string>();
  private tickPending = false;
  private wake: (() => void) | undefined;
  private caughtUpWaiters: Array<() => void> = [];
  private successor: (() => Promise<void>) | undefined;

  constructor(private readonly source: TestSource<T>) {}

  async start(): Promise<void> {}

  addSplits(splits: TestSplit[]): void {
    for (const s of splits) this.offsets.set(s.id, s.offset);
    this.tick();
  }

  removeSplits(ids: string[]): void {
    for (const id of ids) this.offsets.delete(id);
  }

  private hasWork(): boolean {
    if (this.tickPending) return true;
    for (const [id, offset] of this.offsets) if (!this.paused.has(id) && offset < this.source.logOf(id).length) return true;
    return false;
  }

  async poll(maxWaitMs: number): Promise<PollResult<T, TestSplit>> {
    if (!this.hasWork()) {
      // back in poll with nothing queued: everything read so far went through the graph
      for (const resolve of this.caughtUpWaiters.splice(0)) resolve();
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, maxWaitMs);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
    this.tickPending = false;
    return { batches: this.read() };
  }

  /** One batch per split with everything queued on it. */
  private read(): SourceBatch<T, TestSplit>[] {
    const batches: SourceBatch<T, TestSplit>[] = [];
    for (const [id, offset] of this.offsets) {
      const log = this.source.logOf(id);
      if (this.paused.has(id) || offset >= log.length) continue;
      const slice = log.slice(offset);
      this.offsets.set(id, log.length);
      batches.push({
        splitId: id,
        records: slice.map((r) => r.value),
        timestamps: slice.map((r) => r.timestamp),
        splitState: { id, offset: log.length },
        positionOf: (i) => ({ offset: offset + i }),
      });
    }
    return batches;
  }

  tick(): void {
    this.tickPending = true;
    this.wake?.();
  }

  caughtUp(): Promise<void> {
    if (this.successor !== undefined) return this.successor();
    if (this.wake !== undefined && !this.hasWork()) return Promise.resolve();
    return new Promise((resolve) => this.caughtUpWaiters.push(resolve));
  }

  /** This reader's attempt ended: its waiters wait for the next reader instead. */
  handOver(successor: () => Promise<void>): void {
    this.successor = successor;
    for (const resolve of this.caughtUpWaiters.splice(0)) void successor().then(resolve);
  }

  wakeup(): void {
    this.wake?.();
  }

  pauseSplits(ids: string[]): void {
    for (const id of ids) this.paused.add(id);
  }

  resumeSplits(ids: string[]): void {
    for (const id of ids) this.paused.delete(id);
    this.tick();
  }

  async close(): Promise<void> {
    this.wake?.();
  }
}
