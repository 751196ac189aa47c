import { MIN_WATERMARK } from '../time/types.js';

/**
 * Counters of one pipeline step, updated by the executor with plain field arithmetic on
 * the hot path; the registry reads them only when scraped. Values are cumulative since the
 * registry was created (restarts included).
 */
export class StepMetrics {
  /** Records that entered the step. */
  recordsIn = 0;
  /** Records the step emitted. */
  recordsOut = 0;
  /** Time spent processing, in nanoseconds. */
  busyNs = 0;
  /** Time spent waiting for downstream capacity, in nanoseconds. */
  backpressuredNs = 0;
  /** The step's current event-time watermark (epoch ms); MIN_WATERMARK until the first one. */
  watermark = MIN_WATERMARK;
  /** Failed records or batches. */
  errors = 0;
  /** Records sent to the dead-letter output. */
  deadLetters = 0;
  /** Records that arrived after their windows closed (sent to LATE_DATA, or dropped when nothing consumes it). */
  lateRecords = 0;

  constructor(readonly step: string) {}
}

/** Gauges of one source split (e.g. a Kafka partition), set by its source reader. */
export class SplitMetrics {
  /** Records available but not yet read (lag); 0 when unknown. */
  pendingRecords = 0;
  /** The split's own watermark; MIN_WATERMARK until the first one. */
  watermark = MIN_WATERMARK;
  /** Marked idle by the watermark idle timeout. */
  idle = false;
  /** Paused by watermark alignment. */
  paused = false;

  constructor(
    readonly step: string,
    readonly split: string,
  ) {}
}
