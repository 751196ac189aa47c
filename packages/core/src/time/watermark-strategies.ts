import { MIN_WATERMARK } from './types.js';
import type { TimestampAssigner, WatermarkGenerator, WatermarkStrategy } from './types.js';

/** Default interval at which aligned sources report their watermarks (Flink's default). */
export const DEFAULT_ALIGNMENT_UPDATE_INTERVAL_MS = 1000;

/** Settings of watermark alignment (see {@link WatermarkStrategy.alignment}). */
export interface AlignmentSettings {
  /** Sources with the same group are aligned with each other. */
  group: string;
  /** A split whose watermark is more than this ahead of the group's slowest split is paused. */
  maxDriftMs: number;
  /** How often the group's watermarks are exchanged; defaults to 1000 ms. */
  updateIntervalMs: number;
}

/**
 * An immutable watermark strategy built by {@link WatermarkStrategies}. Each `with*` call
 * returns a new strategy and leaves the receiver unchanged, so one base strategy can be
 * shared by several sources.
 */
export interface FluentWatermarkStrategy<T> extends WatermarkStrategy<T> {
  readonly timestampAssigner: TimestampAssigner<T>;
  readonly idleTimeoutMs?: number;
  readonly alignment?: Readonly<AlignmentSettings>;
  /** Mark a split idle after `timeoutMs` of processing time without records. */
  withIdleness(timeoutMs: number): FluentWatermarkStrategy<T>;
  /** Pause splits that run more than `maxDriftMs` ahead of the slowest split of `group`. */
  withAlignment(group: string, maxDriftMs: number, updateIntervalMs?: number): FluentWatermarkStrategy<T>;
}

interface StrategyParts<T> {
  timestampAssigner: TimestampAssigner<T>;
  createGenerator: () => WatermarkGenerator;
  idleTimeoutMs?: number;
  alignment?: Readonly<AlignmentSettings>;
}

function requireNonNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
}

function requirePositive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a finite number > 0, got ${value}`);
}

function fluent<T>(parts: StrategyParts<T>): FluentWatermarkStrategy<T> {
  const strategy: FluentWatermarkStrategy<T> = {
    timestampAssigner: parts.timestampAssigner,
    createGenerator: parts.createGenerator,
    ...(parts.idleTimeoutMs !== undefined ? { idleTimeoutMs: parts.idleTimeoutMs } : {}),
    ...(parts.alignment !== undefined ? { alignment: parts.alignment } : {}),
    withIdleness(timeoutMs) {
      requirePositive('idle timeout', timeoutMs);
      return fluent({ ...parts, idleTimeoutMs: timeoutMs });
    },
    withAlignment(group, maxDriftMs, updateIntervalMs = DEFAULT_ALIGNMENT_UPDATE_INTERVAL_MS) {
      if (group.length === 0) throw new RangeError('alignment group must not be empty');
      requireNonNegative('max drift', maxDriftMs);
      requirePositive('alignment update interval', updateIntervalMs);
      return fluent({ ...parts, alignment: Object.freeze({ group, maxDriftMs, updateIntervalMs }) });
    },
  };
  return Object.freeze(strategy);
}

/**
 * Flink's BoundedOutOfOrdernessWatermarks: the watermark trails the highest timestamp seen
 * by the bound, minus 1 ms because a watermark `t` promises no more records with
 * timestamp <= t, and a record exactly `bound` older than the maximum is still on time.
 */
export class BoundedOutOfOrdernessGenerator implements WatermarkGenerator {
  private maxTimestamp = MIN_WATERMARK;

  constructor(private readonly maxOutOfOrdernessMs: number) {
    requireNonNegative('max out-of-orderness', maxOutOfOrdernessMs);
  }

  onEvent(timestamp: number): void {
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
  }

  currentWatermark(): number {
    if (this.maxTimestamp === MIN_WATERMARK) return MIN_WATERMARK;
    return Math.max(MIN_WATERMARK, this.maxTimestamp - this.maxOutOfOrdernessMs - 1);
  }
}

/** A generator that never advances: event time stays at MIN_WATERMARK until the input ends. */
class NoWatermarksGenerator implements WatermarkGenerator {
  onEvent(): void {}
  currentWatermark(): number {
    return MIN_WATERMARK;
  }
}

/** Assigns no event time: records without timestamps get MIN_WATERMARK (as in Flink). */
const noTimestamp = (): number => MIN_WATERMARK;

/** Factories for the common watermark strategies (Flink's `WatermarkStrategy.for*`). */
export const WatermarkStrategies = {
  /**
   * Records may arrive up to `maxOutOfOrdernessMs` late relative to the highest timestamp
   * seen so far. Watermark = max timestamp - bound - 1; MIN_WATERMARK before any record.
   */
  forBoundedOutOfOrderness<T>(maxOutOfOrdernessMs: number, timestampOf: TimestampAssigner<T>): FluentWatermarkStrategy<T> {
    requireNonNegative('max out-of-orderness', maxOutOfOrdernessMs);
    return fluent({ timestampAssigner: timestampOf, createGenerator: () => new BoundedOutOfOrdernessGenerator(maxOutOfOrdernessMs) });
  },

  /** Timestamps never decrease within a split: bounded out-of-orderness with a bound of 0. */
  forMonotonousTimestamps<T>(timestampOf: TimestampAssigner<T>): FluentWatermarkStrategy<T> {
    return fluent({ timestampAssigner: timestampOf, createGenerator: () => new BoundedOutOfOrdernessGenerator(0) });
  },

  /** A custom generator; `createGenerator` is called once per split. */
  forGenerator<T>(createGenerator: () => WatermarkGenerator, timestampOf: TimestampAssigner<T>): FluentWatermarkStrategy<T> {
    return fluent({ timestampAssigner: timestampOf, createGenerator });
  },

  /**
   * No event time progress (processing-time pipelines). The watermark stays at
   * MIN_WATERMARK until the input finishes; `timestampOf` defaults to "no timestamp"
   * (MIN_WATERMARK), so no record is ever late.
   */
  noWatermarks<T>(timestampOf: TimestampAssigner<T> = noTimestamp): FluentWatermarkStrategy<T> {
    return fluent({ timestampAssigner: timestampOf, createGenerator: () => new NoWatermarksGenerator() });
  },
} as const;
