/** Small waiting helpers: an edge-triggered signal and a capped exponential backoff. */

/** `wait` resolves on the next `notify` (or one that came since the last wait), or after `ms`. */
export class Signal {
  private waiters: Array<() => void> = [];
  private pending = false;

  notify(): void {
    const w = this.waiters;
    if (w.length === 0) {
      this.pending = true;
      return;
    }
    this.waiters = [];
    for (const resolve of w) resolve();
  }

  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      }, ms);
      this.waiters.push(done);
    });
  }
}

/** Doubling delays from `initialMs`, capped at `maxMs`; `reset` after a success. */
export class Backoff {
  private next: number;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {
    this.next = initialMs;
  }

  /** The delay to wait now (and double the one after). */
  delay(): number {
    const d = this.next;
    this.next = Math.min(this.maxMs, this.next * 2);
    return d;
  }

  reset(): void {
    this.next = this.initialMs;
  }
}

/** Wait for `p`, but at most `ms` (the rest finishes in the background). */
export async function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.then(() => undefined, () => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
