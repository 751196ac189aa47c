import { MAX_WATERMARK, MIN_WATERMARK } from './types.js';

/** What a watermark combiner emits after an update or poll. */
export interface WatermarkStatus {
  /** The combined watermark; never decreases. */
  readonly watermark: number;
  /** True when no input currently holds the watermark: downstream ignores this output. */
  readonly idle: boolean;
  /** True when `watermark` or `idle` differs from the previous result. */
  readonly changed: boolean;
}

/**
 * The monotonic output side shared by the combiners: it remembers what was emitted and
 * turns a freshly computed minimum into the next status without ever going backwards.
 */
export class MonotonicWatermarkOutput {
  private watermark = MIN_WATERMARK;
  private idle = false;

  /** Last emitted watermark. */
  get current(): number {
    return this.watermark;
  }

  /** Last emitted idleness. */
  get isIdle(): boolean {
    return this.idle;
  }

  /** Emit `candidate` (clamped so the output never decreases) as an active watermark. */
  active(candidate: number): WatermarkStatus {
    return this.emit(candidate > this.watermark ? candidate : this.watermark, false);
  }

  /** Emit "idle", keeping the watermark where it is. Once at MAX_WATERMARK, the output stays active. */
  markIdle(): WatermarkStatus {
    return this.emit(this.watermark, this.watermark !== MAX_WATERMARK);
  }

  private emit(watermark: number, idle: boolean): WatermarkStatus {
    const changed = watermark !== this.watermark || idle !== this.idle;
    this.watermark = watermark;
    this.idle = idle;
    return { watermark, idle, changed };
  }
}
