/**
 * Where processing-time timers are scheduled. Normally a real `setTimeout` until the clock
 * reaches the timer; a test clock (`@weir/core/testing`) registers its own scheduler for its
 * `now` function, so timers fire when the test advances time, never by the wall clock.
 */

export interface TimerScheduler {
  /** Call `fire` once the clock reaches `at`; returns a cancel function. */
  schedule(at: number, fire: () => void): () => void;
}

const byClock = new WeakMap<() => number, TimerScheduler>();

/** @internal Make `now`'s own scheduler drive the timers of every job that uses `now` as its clock. */
export function registerTimerScheduler(now: () => number, scheduler: TimerScheduler): void {
  byClock.set(now, scheduler);
}

/** The scheduler for a job's clock: the registered one, else real timers. */
export function timerSchedulerFor(now: () => number): TimerScheduler {
  return byClock.get(now) ?? realTimers(now);
}

function realTimers(now: () => number): TimerScheduler {
  return {
    schedule(at, fire) {
      const t = setTimeout(fire, Math.max(0, at - now()));
      t.unref?.();
      return () => clearTimeout(t);
    },
  };
}
