import type { SlotAccess, StateTable } from '../slot-access.js';
import type { MapState } from '../types.js';

/**
 * MapState stored as ONE Map value per (state, key). Trade-off: reads and iteration are a
 * single slot lookup and the cache works per key, but every change rewrites the whole map
 * when it is flushed or snapshotted, so it suits small-to-medium maps per key; very large
 * per-key maps (e.g. 100k user keys under one key) would be better stored one row per user
 * key (Flink's RocksDB layout). Maps shared with a running snapshot are copied before mutation.
 */
export class SlotMapState<K, V> implements MapState<K, V> {
  constructor(
    private readonly slots: SlotAccess,
    private readonly table: StateTable,
  ) {}

  get(key: K): V | undefined {
    return this.current()?.get(key);
  }

  put(key: K, value: V): void {
    const map = this.mutable();
    map.set(key, value);
    this.slots.writeSlot(this.table, map, true);
  }

  remove(key: K): void {
    const existing = this.current();
    if (existing === undefined || !existing.has(key)) return;
    if (existing.size === 1) {
      this.slots.removeSlot(this.table);
      return;
    }
    const map = this.mutable();
    map.delete(key);
    this.slots.writeSlot(this.table, map, true);
  }

  has(key: K): boolean {
    return this.current()?.has(key) ?? false;
  }

  entries(): IterableIterator<[K, V]> {
    return (this.current() ?? new Map<K, V>()).entries();
  }

  keys(): IterableIterator<K> {
    return (this.current() ?? new Map<K, V>()).keys();
  }

  size(): number {
    return this.current()?.size ?? 0;
  }

  clear(): void {
    this.slots.removeSlot(this.table);
  }

  private current(): Map<K, V> | undefined {
    return this.slots.readSlot(this.table)?.value as Map<K, V> | undefined;
  }

  /** The map to modify: the stored one when exclusively owned, else a copy. */
  private mutable(): Map<K, V> {
    const entry = this.slots.readSlot(this.table);
    if (entry === undefined) return new Map<K, V>();
    const map = entry.value as Map<K, V>;
    return this.slots.isMutable(entry) ? map : new Map(map);
  }
}
