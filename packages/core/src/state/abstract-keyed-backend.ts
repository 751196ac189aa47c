import { SlotListState } from './kinds/list-state.js';
import { SlotMapState } from './kinds/map-state.js';
import { SlotReducingState } from './kinds/reducing-state.js';
import { SlotValueState } from './kinds/value-state.js';
import type { SlotAccess, StateKindTag, StateTable } from './slot-access.js';
import { StateEntry } from './state-entry.js';
import { validateStateName } from './state-key.js';
import type {
  KeyedStateBackend,
  ListState,
  MapState,
  ReducingState,
  RestoreOptions,
  StateDescriptorOptions,
  StateFiles,
  StateHandle,
  StateKey,
  StateSnapshot,
  ValueState,
} from './types.js';

/**
 * Shared part of every keyed backend: state registration, the current key, TTL and
 * copy-on-write versioning. Subclasses only store and find entries.
 */
export abstract class AbstractKeyedStateBackend<T extends StateTable> implements KeyedStateBackend, SlotAccess {
  abstract readonly kind: KeyedStateBackend['kind'];
  /** Incremented by every snapshot; entries of older versions are immutable. */
  protected version = 1;
  protected readonly tables = new Map<string, T>();
  private currentKeyValue: StateKey | undefined;

  protected constructor(protected readonly now: () => number) {}

  /** Creates the backend-specific storage of a newly registered state. */
  protected abstract createTable(base: StateTable): T;
  /** The stored entry (expired or not). May load synchronously or throw if the key was not prefetched. */
  protected abstract getEntry(table: T, key: StateKey): StateEntry | undefined;
  /** The entry if it is already in memory, without loading; used before blind writes. */
  protected abstract peekEntry(table: T, key: StateKey): StateEntry | undefined;
  protected abstract putEntry(table: T, key: StateKey, entry: StateEntry): void;
  protected abstract deleteEntry(table: T, key: StateKey): void;

  abstract prefetch(keys: Iterable<StateKey>): Promise<void> | undefined;
  abstract keys(stateName: string): AsyncIterable<StateKey>;
  abstract snapshot(checkpointId: number): StateSnapshot;
  abstract restore(handle: StateHandle, files: StateFiles, options?: RestoreOptions): Promise<void>;
  abstract approximateKeyCount(): number;
  abstract close(): Promise<void>;

  valueState<V>(name: string, options?: StateDescriptorOptions): ValueState<V> {
    return new SlotValueState<V>(this, this.register(name, 'value', options));
  }

  mapState<K, V>(name: string, options?: StateDescriptorOptions): MapState<K, V> {
    return new SlotMapState<K, V>(this, this.register(name, 'map', options));
  }

  listState<V>(name: string, options?: StateDescriptorOptions): ListState<V> {
    return new SlotListState<V>(this, this.register(name, 'list', options));
  }

  reducingState<V>(name: string, reduce: (a: V, b: V) => V, options?: StateDescriptorOptions): ReducingState<V> {
    return new SlotReducingState<V>(this, this.register(name, 'reducing', options), reduce);
  }

  setCurrentKey(key: StateKey): void {
    this.currentKeyValue = key;
  }

  currentKey(): StateKey | undefined {
    return this.currentKeyValue;
  }

  readSlot(table: StateTable): StateEntry | undefined {
    const key = this.requireKey();
    const t = table as T;
    const entry = this.getEntry(t, key);
    if (entry === undefined || entry.expiresAt === 0) return entry;
    const now = this.now();
    if (now >= entry.expiresAt) {
      this.deleteEntry(t, key);
      return undefined;
    }
    if (!table.updateOnRead) return entry;
    const expiresAt = now + table.ttlMs;
    if (entry.version === this.version) {
      entry.expiresAt = expiresAt;
      this.putEntry(t, key, entry);
      return entry;
    }
    // The old entry may belong to a snapshot: refresh a copy that still shares (not owns) the value.
    const refreshed = new StateEntry(entry.value, expiresAt, this.version, false);
    this.putEntry(t, key, refreshed);
    return refreshed;
  }

  writeSlot(table: StateTable, value: unknown, owned: boolean): void {
    const key = this.requireKey();
    const t = table as T;
    const expiresAt = table.ttlMs > 0 ? this.now() + table.ttlMs : 0;
    const existing = this.peekEntry(t, key);
    if (existing !== undefined && existing.version === this.version) {
      existing.value = value;
      existing.expiresAt = expiresAt;
      existing.owned = owned;
      this.putEntry(t, key, existing);
    } else {
      this.putEntry(t, key, new StateEntry(value, expiresAt, this.version, owned));
    }
  }

  removeSlot(table: StateTable): void {
    this.deleteEntry(table as T, this.requireKey());
  }

  isMutable(entry: StateEntry): boolean {
    return entry.owned && entry.version === this.version;
  }

  /** Looks up a registered state by name (undefined if not registered in this instance). */
  protected table(name: string): T | undefined {
    return this.tables.get(name);
  }

  private register(name: string, kindTag: StateKindTag, options: StateDescriptorOptions | undefined): T {
    validateStateName(name);
    const ttl = options?.ttl;
    if (ttl !== undefined && !(ttl.ttlMs > 0)) throw new Error(`State "${name}": ttl.ttlMs must be > 0`);
    const ttlMs = ttl?.ttlMs ?? 0;
    const updateOnRead = ttl?.updateOnRead ?? false;
    const existing = this.tables.get(name);
    if (existing?.placeholder) {
      existing.kindTag = kindTag;
      existing.ttlMs = ttlMs;
      existing.updateOnRead = updateOnRead;
      existing.placeholder = false;
      return existing;
    }
    if (existing !== undefined) {
      if (existing.kindTag !== kindTag || existing.ttlMs !== ttlMs || existing.updateOnRead !== updateOnRead) {
        throw new Error(`State "${name}" is already registered as ${existing.kindTag} state with a different configuration`);
      }
      return existing;
    }
    const table = this.createTable({ name, kindTag, ttlMs, updateOnRead, placeholder: false });
    this.tables.set(name, table);
    return table;
  }

  /** The table for `name`, creating a placeholder when user code has not registered it (yet). */
  protected tableForRestore(name: string): T {
    const existing = this.tables.get(name);
    if (existing !== undefined) return existing;
    validateStateName(name);
    const table = this.createTable({ name, kindTag: 'value', ttlMs: 0, updateOnRead: false, placeholder: true });
    this.tables.set(name, table);
    return table;
  }

  private requireKey(): StateKey {
    const key = this.currentKeyValue;
    if (key === undefined) throw new Error('Keyed state accessed without a current key (call setCurrentKey first)');
    return key;
  }
}
