import { MIN_WATERMARK } from '../time/types.js';
import { TimerQueue, type Timer } from './timer-queue.js';

export type { Timer } from './timer-queue.js';

/** JSON-serialisable timer state of one keyed operator instance. */
export interface TimerServiceSnapshot {
  version: 1;
  watermark: number;
  /** [key, timestamp] pairs. */
  eventTime: [string, number][];
  processingTime: [string, number][];
}

/**
 * Event-time and processing-time timers of one keyed operator (Flink's InternalTimerService).
 * A (key, timestamp) pair is registered at most once per time domain. The executor calls
 * `advanceWatermark` when the operator's watermark moves and `dueProcessingTimers` from one
 * `setTimeout` scheduled for `nextProcessingTime()`, then invokes the user's `onTimer` for each
 * returned timer with that key as current key.
 */
export class TimerService {
  private readonly eventTime = new TimerQueue();
  private readonly processingTime = new TimerQueue();
  private watermark = MIN_WATERMARK;

  /** Registers an event-time timer; one at or below the current watermark fires on the next advance. Returns false if already registered. */
  registerEventTimeTimer(key: string, timestamp: number): boolean {
    return this.eventTime.add(key, timestamp);
  }

  /** Registers a processing-time timer (epoch ms). Returns false if already registered. */
  registerProcessingTimeTimer(key: string, timestamp: number): boolean {
    return this.processingTime.add(key, timestamp);
  }

  /** Returns false if no such timer was registered. */
  deleteEventTimeTimer(key: string, timestamp: number): boolean {
    return this.eventTime.remove(key, timestamp);
  }

  /** Returns false if no such timer was registered. */
  deleteProcessingTimeTimer(key: string, timestamp: number): boolean {
    return this.processingTime.remove(key, timestamp);
  }

  /** Moves the watermark and removes and returns every event-time timer with timestamp <= `watermark`, in timestamp order. */
  advanceWatermark(watermark: number): Timer[] {
    if (watermark > this.watermark) this.watermark = watermark;
    return this.eventTime.popDue(watermark);
  }

  /** Removes and returns every processing-time timer with timestamp <= `now`, in timestamp order. */
  dueProcessingTimers(now: number): Timer[] {
    return this.processingTime.popDue(now);
  }

  /** When the next processing-time timer is due (to schedule one setTimeout), if any. */
  nextProcessingTime(): number | undefined {
    return this.processingTime.peek();
  }

  /** The earliest pending event-time timer, if any. */
  nextEventTime(): number | undefined {
    return this.eventTime.peek();
  }

  /** Highest watermark passed to `advanceWatermark` (MIN_WATERMARK initially). */
  currentWatermark(): number {
    return this.watermark;
  }

  get eventTimeTimerCount(): number {
    return this.eventTime.size;
  }

  get processingTimeTimerCount(): number {
    return this.processingTime.size;
  }

  /** Synchronous copy of all pending timers (O(timers); small for typical operators). */
  snapshot(): TimerServiceSnapshot {
    return {
      version: 1,
      watermark: this.watermark,
      eventTime: Array.from(this.eventTime.values(), (t): [string, number] => [t.key, t.timestamp]),
      processingTime: Array.from(this.processingTime.values(), (t): [string, number] => [t.key, t.timestamp]),
    };
  }

  /**
   * Replaces all timers with a snapshot's. With `keep`, only timers of keys it accepts; with
   * `append`, the timers already restored stay and the watermark becomes the lowest of the
   * merged snapshots (a rescaled instance merges several; the lowest never turns on-time data late).
   */
  restore(snapshot: TimerServiceSnapshot, keep?: (key: string) => boolean, append = false): void {
    if (snapshot.version !== 1) throw new Error(`Unsupported timer snapshot version ${String(snapshot.version)}`);
    if (!append) {
      this.eventTime.clear();
      this.processingTime.clear();
      this.watermark = snapshot.watermark;
    } else {
      this.watermark = Math.min(this.watermark, snapshot.watermark);
    }
    for (const [key, ts] of snapshot.eventTime) if (keep === undefined || keep(key)) this.eventTime.add(key, ts);
    for (const [key, ts] of snapshot.processingTime) if (keep === undefined || keep(key)) this.processingTime.add(key, ts);
  }
}
