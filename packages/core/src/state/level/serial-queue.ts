/**
 * Runs async tasks one at a time in submission order (store writes must land in order).
 * The first failure is sticky: later tasks fail with it, since the store may be inconsistent.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  /** Completion promises of pending tasks, oldest first. */
  private readonly inFlight: Promise<unknown>[] = [];
  private failure: unknown = undefined;
  private pending = 0;

  /** Number of tasks submitted and not yet finished. */
  get size(): number {
    return this.pending;
  }

  /** The sticky error, if a task failed. */
  get error(): unknown {
    return this.failure;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(async () => {
      try {
        if (this.failure !== undefined) throw this.failure;
        return await task();
      } catch (err) {
        this.failure ??= err;
        throw err;
      } finally {
        this.pending--;
      }
    });
    // The chain itself never rejects; callers see failures through `result`.
    const settled = result.catch(() => undefined);
    this.tail = settled;
    this.inFlight.push(settled);
    void settled.then(() => this.inFlight.shift());
    return result;
  }

  /** Resolves once at most `n` tasks are pending (rejects with the sticky error). */
  async below(n: number): Promise<void> {
    while (this.pending > n && this.failure === undefined) await this.oldest();
    if (this.failure !== undefined) throw this.failure;
  }

  /** Resolves when every task submitted so far has finished (rejects with the sticky error). */
  async idle(): Promise<void> {
    await this.tail;
    if (this.failure !== undefined) throw this.failure;
  }

  private oldest(): Promise<unknown> {
    return this.inFlight[0] ?? Promise.resolve();
  }
}
