/** Restart strategies: how an in-process job restarts from its last checkpoint after a failure. */

export type RestartStrategy =
  | { kind: 'none' }
  | {
      kind: 'fixed-delay';
      /** Give up after this many consecutive failures. */
      maxAttempts: number;
      delayMs: number;
    }
  | {
      kind: 'exponential-backoff';
      initialDelayMs: number;
      maxDelayMs: number;
      multiplier?: number;
      /** Give up after this many consecutive failures (default: never). */
      maxAttempts?: number;
      /** A run that lasted this long resets the backoff (default 60 s). */
      resetAfterMs?: number;
    };

export const RestartStrategies = {
  none: (): RestartStrategy => ({ kind: 'none' }),
  fixedDelay: (o: Omit<Extract<RestartStrategy, { kind: 'fixed-delay' }>, 'kind'>): RestartStrategy => ({ kind: 'fixed-delay', ...o }),
  exponentialBackoff: (o: Omit<Extract<RestartStrategy, { kind: 'exponential-backoff' }>, 'kind'>): RestartStrategy => ({
    kind: 'exponential-backoff',
    ...o,
  }),
};

/** Tracks failures and answers "restart after how long, or give up". */
export class RestartTracker {
  private failures = 0;
  private delay = 0;

  constructor(private readonly strategy: RestartStrategy) {}

  /** Delay before the next attempt, or undefined to give up. `ranForMs` is how long the failed attempt ran. */
  nextDelay(ranForMs: number): number | undefined {
    const s = this.strategy;
    switch (s.kind) {
      case 'none':
        return undefined;
      case 'fixed-delay':
        this.failures++;
        return this.failures > s.maxAttempts ? undefined : s.delayMs;
      case 'exponential-backoff': {
        if (ranForMs >= (s.resetAfterMs ?? 60_000)) {
          this.failures = 0;
          this.delay = 0;
        }
        this.failures++;
        if (s.maxAttempts !== undefined && this.failures > s.maxAttempts) return undefined;
        this.delay = this.delay === 0 ? s.initialDelayMs : Math.min(s.maxDelayMs, this.delay * (s.multiplier ?? 2));
        return this.delay;
      }
    }
  }

  get failureCount(): number {
    return this.failures;
  }
}
