/** Timeout and retry with fixed or exponential backoff for one asynchronous call. */

export interface RetryPolicy {
  /** Attempts in total, the first included (default 3). */
  maxAttempts?: number;
  backoff?: 'fixed' | 'exponential';
  /** Delay before the first retry (default 100 ms); exponential doubles it per retry. */
  delayMs?: number;
  /** Cap of exponential delays (default 10 s). */
  maxDelayMs?: number;
}

export interface RetryClock {
  sleep(ms: number): Promise<void>;
  /** Rejects after `ms` unless `cancel` is called first. */
  timeout(ms: number): { promise: Promise<never>; cancel(): void };
}

export const realClock: RetryClock = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  timeout(ms) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const promise = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`lookup timed out after ${ms} ms`)), ms);
    });
    return { promise, cancel: () => clearTimeout(timer) };
  },
};

export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const base = policy.delayMs ?? 100;
  if ((policy.backoff ?? 'exponential') === 'fixed') return base;
  return Math.min(base * 2 ** (retry - 1), policy.maxDelayMs ?? 10_000);
}

/** What `withRetry` counts: retries after a failed attempt, and attempts that failed by timing out. */
export interface RetryCounters {
  retries: number;
  timeouts: number;
}

/** Calls `call` until it succeeds within `timeoutMs`, at most `maxAttempts` times; rethrows the last error. */
export async function withRetry<T>(call: () => Promise<T>, policy: RetryPolicy, timeoutMs: number | undefined, clock: RetryClock, counters?: RetryCounters): Promise<T> {
  const attempts = policy.maxAttempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    const deadline = timeoutMs === undefined ? undefined : clock.timeout(timeoutMs);
    let timedOut = false;
    try {
      if (deadline === undefined) return await call();
      const expired = deadline.promise.catch((err: unknown) => {
        timedOut = true;
        throw err;
      });
      return await Promise.race([call(), expired]);
    } catch (err) {
      if (timedOut && counters !== undefined) counters.timeouts++;
      if (attempt >= attempts) throw err;
    } finally {
      deadline?.cancel();
    }
    if (counters !== undefined) counters.retries++;
    await clock.sleep(backoffDelay(policy, attempt));
  }
}
