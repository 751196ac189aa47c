/**
 * Per-cluster circuit breaker: `closed` (traffic flows), `open` after `failureThreshold`
 * consecutive failed requests (no traffic; a probe is due after `resetTimeoutMs`), `half-open`
 * while a probe runs (success closes, failure opens again).
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  state: BreakerState = 'closed';
  failures = 0;
  totalFailures = 0;
  private openedAt = 0;

  constructor(
    private readonly failureThreshold: number,
    readonly resetTimeoutMs: number,
  ) {}

  /** A request succeeded: closes the breaker. Returns true when it was not closed before. */
  success(): boolean {
    this.failures = 0;
    if (this.state === 'closed') return false;
    this.state = 'closed';
    return true;
  }

  /** A request failed. Returns true when this opened the breaker. */
  failure(): boolean {
    this.failures++;
    this.totalFailures++;
    if (this.state === 'open') return false;
    if (this.state === 'half-open' || this.failures >= this.failureThreshold) {
      this.open();
      return true;
    }
    return false;
  }

  open(): void {
    this.state = 'open';
    this.openedAt = Date.now();
  }

  /** Milliseconds until a probe is due (0 = now). */
  probeDelay(): number {
    return Math.max(0, this.openedAt + this.resetTimeoutMs - Date.now());
  }

  /** Move to half-open for a probe. */
  beginProbe(): void {
    this.state = 'half-open';
  }
}
