/** Event-time contracts. Timestamps and watermarks are epoch milliseconds. */

/** A watermark of MAX_WATERMARK means: no more data will come (end of input, drain). */
export const MAX_WATERMARK = Number.MAX_SAFE_INTEGER;
export const MIN_WATERMARK = Number.MIN_SAFE_INTEGER;

/**
 * Extracts a record's event time. `sourceTimestamp` is the time the source attached to the
 * record (a batch's `timestamps`), if any, as in Flink's `extractTimestamp(element, recordTimestamp)`.
 */
export type TimestampAssigner<T> = (record: T, sourceTimestamp?: number) => number;

/**
 * Generates watermarks for one split (Flink's WatermarkGenerator). `onEvent` is called for
 * every record in order; `currentWatermark` is polled after each batch.
 */
export interface WatermarkGenerator {
  onEvent(timestamp: number): void;
  currentWatermark(): number;
}

export interface WatermarkStrategy<T> {
  timestampAssigner: TimestampAssigner<T>;
  /** A fresh generator per split. */
  createGenerator(): WatermarkGenerator;
  /** A split that sends nothing for this long stops holding back the watermark. */
  idleTimeoutMs?: number;
  /** Watermark alignment: splits more than `maxDriftMs` ahead of the slowest are paused. */
  alignment?: { group: string; maxDriftMs: number; updateIntervalMs?: number };
}
