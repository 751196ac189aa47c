/**
 * Named one-shot timers: setting a key replaces its previous timer, `clearAll` leaves no handle behind.
 * Timers are unref'd: a coordinator timer alone must never keep a process alive.
 */
export class KeyedTimers {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  /** Run `fn` once after `delayMs`, replacing any timer already set under `key`. */
  set(key: string, delayMs: number, fn: () => void): void {
    this.clear(key);
    const timer = setTimeout(() => {
      // Delete first so that `fn` may set the same key again.
      this.timers.delete(key);
      fn();
    }, Math.max(0, delayMs));
    timer.unref?.();
    this.timers.set(key, timer);
  }

  clear(key: string): void {
    const timer = this.timers.get(key);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.timers.delete(key);
    }
  }

  /** Clear every timer whose key starts with `prefix`. */
  clearPrefix(prefix: string): void {
    for (const key of [...this.timers.keys()]) if (key.startsWith(prefix)) this.clear(key);
  }

  clearAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Number of armed timers (for tests and leak checks). */
  get size(): number {
    return this.timers.size;
  }
}
