/**
 * The stored batches of one partition, oldest first, as parallel arrays so a fetch finds the
 * batch containing an offset by binary search. Dropping old batches advances a head index;
 * the arrays are compacted once the dead prefix dominates.
 */

const COMPACT_MIN_DEAD = 1024;

export class BatchStore {
  private baseOffsets: number[] = [];
  private lastOffsets: number[] = [];
  private maxTimestamps: number[] = [];
  /** Running maximum of maxTimestamps (monotonic, so timestamp lookups can binary-search). */
  private runningMaxTimestamps: number[] = [];
  private buffers: Buffer[] = [];
  private head = 0;
  private bytes = 0;

  /** Number of live batches. */
  get count(): number {
    return this.buffers.length - this.head;
  }

  /** Bytes held by live batches. */
  get sizeBytes(): number {
    return this.bytes;
  }

  push(bytes: Buffer, baseOffset: number, lastOffset: number, maxTimestamp: number): void {
    this.baseOffsets.push(baseOffset);
    this.lastOffsets.push(lastOffset);
    this.maxTimestamps.push(maxTimestamp);
    const n = this.runningMaxTimestamps.length;
    const prevMax = n === 0 ? -Infinity : this.runningMaxTimestamps[n - 1]!;
    this.runningMaxTimestamps.push(maxTimestamp > prevMax ? maxTimestamp : prevMax);
    this.buffers.push(bytes);
    this.bytes += bytes.length;
  }

  /** Absolute position (usable with the accessors) of the batch containing `offset`, or -1. */
  positionOf(offset: number): number {
    let lo = this.head;
    let hi = this.buffers.length - 1;
    if (lo > hi || offset < this.baseOffsets[lo]!) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.baseOffsets[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return offset <= this.lastOffsets[lo]! ? lo : -1;
  }

  /** Absolute position of the first batch whose max timestamp is >= `timestampMs`, or -1. */
  positionOfTimestamp(timestampMs: number): number {
    let lo = this.head;
    let hi = this.buffers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.runningMaxTimestamps[mid]! < timestampMs) lo = mid + 1;
      else hi = mid;
    }
    // The running maximum may come from a dropped batch; step to the first live batch that qualifies.
    while (lo < this.buffers.length && this.maxTimestamps[lo]! < timestampMs) lo++;
    return lo < this.buffers.length ? lo : -1;
  }

  /** Absolute position of the oldest live batch. */
  get first(): number {
    return this.head;
  }

  /** One past the absolute position of the newest batch. */
  get end(): number {
    return this.buffers.length;
  }

  baseOffsetAt(pos: number): number {
    return this.baseOffsets[pos]!;
  }

  lastOffsetAt(pos: number): number {
    return this.lastOffsets[pos]!;
  }

  maxTimestampAt(pos: number): number {
    return this.maxTimestamps[pos]!;
  }

  bytesAt(pos: number): Buffer {
    return this.buffers[pos]!;
  }

  /** Drop the oldest live batch. */
  dropFirst(): void {
    if (this.head >= this.buffers.length) return;
    this.bytes -= this.buffers[this.head]!.length;
    this.buffers[this.head] = EMPTY;
    this.head++;
    if (this.head >= COMPACT_MIN_DEAD && this.head * 2 >= this.buffers.length) this.compact();
  }

  private compact(): void {
    const h = this.head;
    this.baseOffsets = this.baseOffsets.slice(h);
    this.lastOffsets = this.lastOffsets.slice(h);
    this.maxTimestamps = this.maxTimestamps.slice(h);
    this.runningMaxTimestamps = this.runningMaxTimestamps.slice(h);
    this.buffers = this.buffers.slice(h);
    this.head = 0;
  }
}

const EMPTY = Buffer.alloc(0);
