import { MIN_WATERMARK } from './types.js';
import { MonotonicWatermarkOutput } from './watermark-output.js';
import type { WatermarkStatus } from './watermark-output.js';

/** The last watermark and idleness reported by one input. */
export interface InputWatermark {
  readonly watermark: number;
  readonly idle: boolean;
}

/**
 * Combines the watermarks of a multi-input operator (union, joins, co-process): the output
 * is the minimum over non-idle inputs and never decreases; when every input is idle the
 * output is idle. An input that becomes active again while behind the output holds further
 * progress back until it catches up (conservative: fewer records become late).
 */
export class InputWatermarks {
  private readonly watermarks: Float64Array;
  private readonly idle: Uint8Array;
  private readonly output = new MonotonicWatermarkOutput();

  constructor(readonly inputCount: number) {
    if (!Number.isInteger(inputCount) || inputCount < 1) throw new RangeError(`inputCount must be a positive integer, got ${inputCount}`);
    this.watermarks = new Float64Array(inputCount).fill(MIN_WATERMARK);
    this.idle = new Uint8Array(inputCount);
  }

  /** Record input `inputIndex`'s latest watermark/idleness and return the combined output. */
  update(inputIndex: number, watermark: number, idle: boolean): WatermarkStatus {
    if (!Number.isInteger(inputIndex) || inputIndex < 0 || inputIndex >= this.inputCount) {
      throw new RangeError(`input index ${inputIndex} out of range [0, ${this.inputCount})`);
    }
    // Upstream outputs are monotonic already; clamping keeps a stale message from regressing.
    if (watermark > this.watermarks[inputIndex]!) this.watermarks[inputIndex] = watermark;
    this.idle[inputIndex] = idle ? 1 : 0;
    return this.combine();
  }

  /** The last emitted combined status (with `changed: false`). */
  current(): WatermarkStatus {
    return { watermark: this.output.current, idle: this.output.isIdle, changed: false };
  }

  /** Each input's last reported state, by input index. */
  inputs(): InputWatermark[] {
    const result: InputWatermark[] = [];
    for (let i = 0; i < this.inputCount; i++) result.push({ watermark: this.watermarks[i]!, idle: this.idle[i] === 1 });
    return result;
  }

  private combine(): WatermarkStatus {
    let min = Infinity;
    for (let i = 0; i < this.inputCount; i++) {
      if (this.idle[i] === 0 && this.watermarks[i]! < min) min = this.watermarks[i]!;
    }
    return min === Infinity ? this.output.markIdle() : this.output.active(min);
  }
}
