import { MAX_WATERMARK, MIN_WATERMARK } from './types.js';
import type { TimestampAssigner, WatermarkGenerator, WatermarkStrategy } from './types.js';
import { MonotonicWatermarkOutput } from './watermark-output.js';
import type { WatermarkStatus } from './watermark-output.js';

/** Where per-record timestamps are written: a plain array (grown as needed) or a typed array (must be long enough). */
export type TimestampBuffer = number[] | Float64Array;

/** The watermark state of one split, for alignment and metrics. */
export interface SplitWatermark {
  readonly splitId: string;
  /** The split's own watermark (non-decreasing). */
  readonly watermark: number;
  /** No records for the idle timeout, as of the last poll. */
  readonly idle: boolean;
  readonly finished: boolean;
  /** Paused by watermark alignment (a paused split never times out to idle). */
  readonly paused: boolean;
}

interface SplitState {
  readonly generator: WatermarkGenerator;
  watermark: number;
  /** Processing time of the last records; NaN until the first observation starts the timer. */
  lastActivityMs: number;
  idle: boolean;
  finished: boolean;
  paused: boolean;
}

/**
 * Per-split watermarks of one source reader, combined into the reader's output watermark
 * (Flink's per-split watermark multiplexing, with idleness).
 *
 * Usage per fetch: `onRecords(split, batch, now, buffer)` for each split's batch, then
 * `poll(now)` once and forward the watermark if `changed`. Processing time is injected
 * (`nowMs`) so tests are deterministic and the hot path makes no clock calls of its own.
 *
 * Output: the minimum over active splits (neither idle nor finished), never decreasing.
 * All splits finished: MAX_WATERMARK. No active split otherwise (all idle, or no splits at
 * all): idle, so downstream combiners ignore this source instead of stalling on it.
 */
export class SplitWatermarks<T> {
  private readonly splits = new Map<string, SplitState>();
  private readonly output = new MonotonicWatermarkOutput();
  private readonly assign: TimestampAssigner<T>;
  private readonly idleTimeoutMs: number;

  constructor(private readonly strategy: WatermarkStrategy<T>) {
    this.assign = strategy.timestampAssigner;
    this.idleTimeoutMs = strategy.idleTimeoutMs ?? Infinity;
  }

  /**
   * Start tracking a split. Its idle timer starts at `nowMs`, or at the next call that
   * passes a time. A new split holds the output back (at MIN_WATERMARK) until it has
   * records or goes idle. Re-adding a known split is a no-op.
   */
  addSplit(splitId: string, nowMs?: number): void {
    if (this.splits.has(splitId)) return;
    this.splits.set(splitId, {
      generator: this.strategy.createGenerator(),
      watermark: MIN_WATERMARK,
      lastActivityMs: nowMs ?? Number.NaN,
      idle: false,
      finished: false,
      paused: false,
    });
  }

  /** Stop tracking a split (e.g. revoked); it no longer holds the output back. */
  removeSplit(splitId: string): void {
    this.splits.delete(splitId);
  }

  /** The split reached its end: it stops holding the output back; all finished gives MAX_WATERMARK. */
  finishSplit(splitId: string): void {
    const split = this.require(splitId);
    split.finished = true;
    split.idle = false;
    split.watermark = MAX_WATERMARK;
  }

  /**
   * The source knows the split's event time reached `watermark` (a file partition read to its
   * end): the split's watermark is raised to it (never lowered) and the split counts as active.
   */
  advanceSplit(splitId: string, watermark: number, nowMs: number): void {
    const split = this.require(splitId);
    if (split.finished) return;
    if (watermark > split.watermark) split.watermark = watermark;
    split.lastActivityMs = nowMs;
    split.idle = false;
  }

  /** Alignment paused the split: it stays non-idle while it is deliberately not read. */
  pauseSplit(splitId: string): void {
    this.require(splitId).paused = true;
  }

  /**
   * Alignment resumed the split. An active split's idle timer restarts at `nowMs` (or the
   * next observed time), since the pause was not its silence; an idle split stays idle
   * until records arrive.
   */
  resumeSplit(splitId: string, nowMs?: number): void {
    const split = this.require(splitId);
    if (!split.paused) return;
    split.paused = false;
    if (!split.idle) split.lastActivityMs = nowMs ?? Number.NaN;
  }

  /**
   * Run the timestamp assigner and the split's generator over a batch. Timestamps are
   * written into `out` (index i for record i) and `out` is returned; without `out` a new
   * Float64Array is allocated. A non-empty batch marks the split active again; its
   * watermark may then be behind the output, which nevertheless never goes backwards.
   */
  onRecords(splitId: string, records: readonly T[], nowMs: number): Float64Array;
  onRecords<B extends TimestampBuffer>(splitId: string, records: readonly T[], nowMs: number, out: B, sourceTimestamps?: readonly number[]): B;
  onRecords(splitId: string, records: readonly T[], nowMs: number, out?: TimestampBuffer, sourceTimestamps?: readonly number[]): TimestampBuffer {
    const split = this.require(splitId);
    if (split.finished) throw new Error(`records for finished split ${splitId}`);
    const n = records.length;
    const timestamps = out ?? new Float64Array(n);
    if (timestamps instanceof Float64Array && timestamps.length < n) {
      throw new RangeError(`timestamp buffer too small: ${timestamps.length} < ${n} records`);
    }
    const assign = this.assign;
    const generator = split.generator;
    for (let i = 0; i < n; i++) {
      const ts = assign(records[i] as T, sourceTimestamps?.[i]);
      timestamps[i] = ts;
      generator.onEvent(ts);
    }
    if (n > 0) {
      split.lastActivityMs = nowMs;
      split.idle = false;
    }
    this.refreshWatermark(split);
    return timestamps;
  }

  /**
   * {@link onRecords} for a batch in which some record's timestamp cannot be read: each such
   * record is reported to `onError` and left out. Returns the kept records, their timestamps and
   * their indices in `records` (the slow path, taken only after `onRecords` threw).
   */
  onRecordsSkipping<R extends T>(
    splitId: string,
    records: readonly R[],
    nowMs: number,
    sourceTimestamps: readonly number[] | undefined,
    onError: (index: number, err: unknown) => void,
  ): { records: R[]; timestamps: number[]; from: number[] } {
    const kept: R[] = [];
    const timestamps: number[] = [];
    const from: number[] = [];
    const one = [0];
    for (let i = 0; i < records.length; i++) {
      try {
        this.onRecords(splitId, [records[i]!], nowMs, one, sourceTimestamps === undefined ? undefined : [sourceTimestamps[i]!]);
      } catch (err) {
        onError(i, err);
        continue;
      }
      kept.push(records[i]!);
      timestamps.push(one[0]!);
      from.push(i);
    }
    return { records: kept, timestamps, from };
  }

  /** A fetch returned nothing: same as {@link poll}; lets idle timeouts and periodic generators progress. */
  onNoData(nowMs: number): WatermarkStatus {
    return this.poll(nowMs);
  }

  /** Re-evaluate idleness and generators at `nowMs` and compute the combined output. */
  poll(nowMs: number): WatermarkStatus {
    let min = MAX_WATERMARK;
    let active = 0;
    let finished = 0;
    for (const split of this.splits.values()) {
      if (split.finished) {
        finished++;
        continue;
      }
      this.refreshWatermark(split);
      this.refreshIdleness(split, nowMs);
      if (split.idle) continue;
      active++;
      if (split.watermark < min) min = split.watermark;
    }
    if (active > 0) return this.output.active(min);
    if (finished > 0 && finished === this.splits.size) return this.output.active(MAX_WATERMARK);
    return this.output.markIdle();
  }

  /** The last emitted output watermark. */
  currentWatermark(): number {
    return this.output.current;
  }

  /** Per-split state as of the last call (a fresh array; call per alignment update or scrape, not per record). */
  perSplitWatermarks(): SplitWatermark[] {
    const result: SplitWatermark[] = [];
    for (const [splitId, s] of this.splits) {
      result.push({ splitId, watermark: s.watermark, idle: s.idle, finished: s.finished, paused: s.paused });
    }
    return result;
  }

  /** Ids of the tracked splits (finished ones included until removed). */
  splitIds(): string[] {
    return [...this.splits.keys()];
  }

  private refreshWatermark(split: SplitState): void {
    const wm = split.generator.currentWatermark();
    // Custom generators may regress; a split's watermark must not.
    if (wm > split.watermark) split.watermark = wm;
  }

  private refreshIdleness(split: SplitState, nowMs: number): void {
    if (Number.isNaN(split.lastActivityMs)) split.lastActivityMs = nowMs;
    if (split.paused) return;
    split.idle = nowMs - split.lastActivityMs >= this.idleTimeoutMs;
  }

  private require(splitId: string): SplitState {
    const split = this.splits.get(splitId);
    if (split === undefined) throw new Error(`unknown split ${splitId}`);
    return split;
  }
}
