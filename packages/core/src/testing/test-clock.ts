/**
 * Processing time under a test's control: `now` only moves when the test advances it, and
 * processing-time timers scheduled against it fire only then (registered as the clock's
 * scheduler, see runtime/timer-scheduler.ts), never by the wall clock.
 */

import { registerTimerScheduler, type TimerScheduler } from '../runtime/timer-scheduler.js';

interface Scheduled {
  readonly at: number;
  readonly fire: () => void;
  live: boolean;
}

export class TestClock implements TimerScheduler {
  private time: number;
  private scheduled: Scheduled[] = [];
  /** The clock function to pass as `PipelineOptions.now`. */
  readonly now = (): number => this.time;

  constructor(start: number) {
    this.time = start;
    registerTimerScheduler(this.now, this);
  }

  schedule(at: number, fire: () => void): () => void {
    const entry: Scheduled = { at, fire, live: true };
    this.scheduled.push(entry);
    return () => {
      entry.live = false;
    };
  }

  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`advanceTime: expected a finite duration >= 0, got ${ms}`);
    this.time += ms;
  }

  /** Fire every live timer due at the current time, earliest first; returns whether any fired. */
  fireDue(): boolean {
    const due = this.scheduled.filter((s) => s.live && s.at <= this.time).sort((a, b) => a.at - b.at);
    this.scheduled = this.scheduled.filter((s) => s.live && s.at > this.time);
    for (const s of due) s.fire();
    return due.length > 0;
  }

  hasDue(): boolean {
    return this.scheduled.some((s) => s.live && s.at <= this.time);
  }
}
