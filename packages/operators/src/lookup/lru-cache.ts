/** A bounded LRU cache with a time to live per entry (Map insertion order is the recency order). */

export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();

  constructor(
    private readonly capacity: number,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity <= 0) throw new RangeError(`cache size must be a positive integer, got ${capacity}`);
  }

  /** The cached value, or `undefined` when absent or expired; `has` tells a cached `undefined` apart. */
  lookup(key: K): { value: V } | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    this.entries.delete(key);
    if (e.expiresAt <= this.now()) return undefined;
    this.entries.set(key, e);
    return { value: e.value };
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }

  get size(): number {
    return this.entries.size;
  }
}
