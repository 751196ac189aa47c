/**
 * Deterministic sources: record `offset` of split `s` is always the same, so a restored job
 * re-reads exactly what the checkpoint did not cover. Used for tests, demos, benchmarks and
 * backfills of in-memory data.
 */

import type { PollResult, Source, SourceBatch, SourceReader, SourceReaderContext, SourceSplit, SplitEnumerator, SplitEnumeratorContext } from './types.js';
import { collectionSourceOptionsSchema, generatorSourceOptionsSchema } from '../options/core-schemas.js';
import { validateOptions } from '../options/validate.js';

export interface GeneratorSplit extends SourceSplit {
  readonly index: number;
  /** Next offset to read. */
  readonly offset: number;
}

export interface GeneratorSourceOptions<T> {
  /** Number of splits (default 1). */
  splits?: number;
  /** Records per split; undefined = unbounded. */
  recordsPerSplit?: number;
  /** The record at `offset` of split `split`. */
  generate: (split: number, offset: number) => T;
  /** Records per batch (default 1000). */
  batchSize?: number;
  /** Per split, records per second (default unlimited). */
  ratePerSecond?: number;
}

/** A source whose records are a pure function of (split, offset). */
export function generatorSource<T>(options: GeneratorSourceOptions<T>): Source<T, GeneratorSplit, null> {
  validateOptions(generatorSourceOptionsSchema, options, 'generatorSource options');
  const splitCount = options.splits ?? 1;
  return {
    boundedness: options.recordsPerSplit === undefined ? 'unbounded' : 'bounded',
    createEnumerator: (ctx, restored) => new StaticEnumerator(ctx, splitCount, restored?.assigned),
    createReader: (ctx) => new GeneratorReader(options, ctx),
  };
}

/** A bounded source over an in-memory array, split into `splits` interleaved splits. */
export function collectionSource<T>(items: readonly T[], options: { splits?: number; batchSize?: number } = {}): Source<T, GeneratorSplit, null> {
  validateOptions(collectionSourceOptionsSchema, options, 'collectionSource options');
  const splits = Math.max(1, Math.min(options.splits ?? 1, items.length || 1));
  const per = Math.ceil(items.length / splits);
  return {
    boundedness: 'bounded',
    createEnumerator: (ctx, restored) => new StaticEnumerator(ctx, splits, restored?.assigned),
    createReader: (ctx) =>
      new GeneratorReader<T>(
        {
          generate: (s, o) => items[s * per + o]!,
          batchSize: options.batchSize,
          lengthOf: (s) => Math.max(0, Math.min(per, items.length - s * per)),
        },
        ctx,
      ),
  };
}

/**
 * Assigns this instance's share of a fixed set of splits once (round-robin over instances). A
 * restore after a rescale brings every old instance's splits with their offsets: it keeps the
 * ones this instance owns now and hands back the others (their new owners restore them too).
 */
class StaticEnumerator implements SplitEnumerator<GeneratorSplit, null> {
  constructor(
    private readonly ctx: SplitEnumeratorContext<GeneratorSplit>,
    private readonly count: number,
    /** Splits of the restored checkpoint (all old instances' on a rescale); undefined on a fresh start. */
    private readonly restored: readonly GeneratorSplit[] | undefined,
  ) {}

  async start(): Promise<void> {
    const owns = (index: number) => index % this.ctx.parallelism === this.ctx.subtask;
    if (this.restored === undefined) {
      const mine: GeneratorSplit[] = [];
      for (let i = this.ctx.subtask; i < this.count; i += this.ctx.parallelism) mine.push({ id: `split-${i}`, index: i, offset: 0 });
      this.ctx.assignSplits(mine);
    } else {
      const foreign = this.restored.filter((s) => !owns(s.index)).map((s) => s.id);
      if (foreign.length > 0) this.ctx.removeSplits(foreign);
    }
    this.ctx.signalNoMoreSplits();
  }

  addSplitsBack(splits: GeneratorSplit[]): void {
    this.ctx.assignSplits(splits);
  }

  snapshotState(): null {
    return null;
  }

  async close(): Promise<void> {}
}

class GeneratorReader<T> implements SourceReader<T, GeneratorSplit> {
  private readonly splits = new Map<string, GeneratorSplit>();
  private readonly paused = new Set<string>();
  private readonly batchSize: number;
  private wake: (() => void) | undefined;
  private cursor = 0;
  /** Rate limiting counts from where each split started in this reader (also after a restore). */
  private readonly rateBase = new Map<string, { offset: number; at: number }>();

  constructor(
    private readonly o: GeneratorSourceOptions<T> & { lengthOf?: (split: number) => number },
    private readonly ctx: SourceReaderContext,
  ) {
    this.batchSize = o.batchSize ?? 1000;
  }

  async start(): Promise<void> {}

  addSplits(splits: GeneratorSplit[]): void {
    for (const s of splits) {
      this.splits.set(s.id, s);
      this.rateBase.set(s.id, { offset: s.offset, at: Date.now() });
    }
    this.wakeup();
  }

  removeSplits(ids: string[]): void {
    for (const id of ids) this.splits.delete(id);
  }

  private lengthOf(split: number): number {
    return this.o.lengthOf?.(split) ?? this.o.recordsPerSplit ?? Infinity;
  }

  async poll(maxWaitMs: number): Promise<PollResult<T, GeneratorSplit>> {
    const result = this.readAvailable();
    if (result.batches.length > 0 || (result.finishedSplits?.length ?? 0) > 0) return result;
    // nothing available (rate limit, paused splits or no splits): wait, then report
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, Math.min(maxWaitMs, this.o.ratePerSecond ? 10 : maxWaitMs));
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
    this.wake = undefined;
    return this.readAvailable();
  }

  /** One batch per split per poll, rotating which split goes first (fairness). */
  private readAvailable(): PollResult<T, GeneratorSplit> {
    const batches: SourceBatch<T, GeneratorSplit>[] = [];
    const finished: string[] = [];
    const all = [...this.splits.values()];
    for (let k = 0; k < all.length; k++) {
      const split = all[(k + this.cursor) % all.length]!;
      if (this.paused.has(split.id)) continue;
      const end = this.lengthOf(split.index);
      let upTo = Math.min(end, split.offset + this.batchSize);
      const base = this.rateBase.get(split.id);
      if (this.o.ratePerSecond !== undefined && base !== undefined) {
        const allowed = base.offset + Math.floor(((Date.now() - base.at) / 1000) * this.o.ratePerSecond);
        upTo = Math.min(upTo, Math.max(split.offset, allowed));
      }
      if (upTo > split.offset) {
        const records = new Array<T>(upTo - split.offset);
        for (let o = split.offset; o < upTo; o++) records[o - split.offset] = this.o.generate(split.index, o);
        const next: GeneratorSplit = { id: split.id, index: split.index, offset: upTo };
        this.splits.set(split.id, next);
        if (Number.isFinite(end)) this.ctx.reportPendingRecords(split.id, end - upTo);
        const first = split.offset;
        batches.push({ splitId: split.id, records, splitState: next, positionOf: (i) => ({ offset: first + i }) });
      }
      if (upTo >= end) {
        finished.push(split.id);
        this.splits.delete(split.id);
      }
    }
    this.cursor++;
    return { batches, finishedSplits: finished };
  }

  wakeup(): void {
    this.wake?.();
  }

  pauseSplits(ids: string[]): void {
    for (const id of ids) this.paused.add(id);
  }

  resumeSplits(ids: string[]): void {
    for (const id of ids) {
      this.paused.delete(id);
      // the rate applies while running: a paused split does not build up a burst
      const split = this.splits.get(id);
      if (split !== undefined) this.rateBase.set(id, { offset: split.offset, at: Date.now() });
    }
    this.wakeup();
  }

  async close(): Promise<void> {
    this.wakeup();
  }
}
