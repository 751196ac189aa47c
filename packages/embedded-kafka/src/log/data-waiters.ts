/**
 * Long-poll waiters of one partition (Fetch max-wait). Each waiter is woken by the log when
 * data becomes readable, by its own timeout, or by its abort signal; whichever comes first
 * removes it from the list and releases its timer and listener.
 */
import type { IsolationLevel } from './types.js';

/** setTimeout fires at once for delays above int32; clamp instead. */
const MAX_TIMER_MS = 0x7fffffff;

interface Waiter {
  offset: number;
  isolation: IsolationLevel;
  finish: () => void;
}

export class DataWaiters {
  private readonly waiters = new Set<Waiter>();

  /** Number of pending waiters (for tests and leak checks). */
  get size(): number {
    return this.waiters.size;
  }

  /** Wait until woken for `offset`, `timeoutMs` elapses, or `signal` aborts. */
  wait(offset: number, isolation: IsolationLevel, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const onAbort = (): void => waiter.finish();
      const waiter: Waiter = {
        offset,
        isolation,
        finish: () => {
          if (!this.waiters.delete(waiter)) return;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.waiters.add(waiter);
      const timer = setTimeout(waiter.finish, Math.min(timeoutMs, MAX_TIMER_MS));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Wake every waiter whose offset is now below the readable limit of its isolation level. */
  wake(highWatermark: number, lastStableOffset: number): void {
    if (this.waiters.size === 0) return;
    for (const w of this.waiters) {
      if (w.offset < (w.isolation === 1 ? lastStableOffset : highWatermark)) w.finish();
    }
  }

  /** Wake everyone (the log is closing). */
  wakeAll(): void {
    for (const w of this.waiters) w.finish();
  }
}
