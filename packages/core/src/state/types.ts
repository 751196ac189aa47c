/**
 * Keyed state contracts. A keyed operator sees state scoped to the key of the record it is
 * processing (`setCurrentKey`). Access is synchronous: the runtime calls `prefetch` once per
 * batch with the batch's keys (one await per batch, never per record), after which every
 * read of those keys is served from memory. Writes go to an in-memory dirty set that is
 * flushed in batches.
 */

/** Keys are normalised to strings by the runtime (`keyBy` results are stringified). */
export type StateKey = string;

export interface StateTtlConfig {
  /** Time to live of a value after its last write, in ms. */
  ttlMs: number;
  /** Also refresh the TTL on read (Flink's OnReadAndWrite). Default false. */
  updateOnRead?: boolean;
}

export interface StateDescriptorOptions {
  ttl?: StateTtlConfig;
}

export interface ValueState<T> {
  value(): T | undefined;
  update(value: T): void;
  clear(): void;
}

export interface MapState<K, V> {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  remove(key: K): void;
  has(key: K): boolean;
  entries(): IterableIterator<[K, V]>;
  keys(): IterableIterator<K>;
  size(): number;
  clear(): void;
}

export interface ListState<T> {
  get(): readonly T[];
  add(value: T): void;
  addAll(values: readonly T[]): void;
  update(values: readonly T[]): void;
  clear(): void;
}

export interface ReducingState<T> {
  get(): T | undefined;
  add(value: T): void;
  clear(): void;
}

/** Where a backend writes and reads its checkpoint files (one directory per operator per checkpoint). */
export interface StateFiles {
  write(name: string, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void>;
  read(name: string): Promise<Uint8Array>;
  readStream(name: string): AsyncIterable<Uint8Array>;
  exists(name: string): Promise<boolean>;
  /** Names of files already written for this operator in this checkpoint. */
  list(): Promise<string[]>;
}

/** How a handle is restored: which key groups to keep, and whether earlier restored state stays. */
export interface RestoreOptions {
  keyGroups?: import('./key-groups.js').KeyGroupScope;
  append?: boolean;
}

/** JSON-serialisable description of what a snapshot wrote; stored in the checkpoint metadata. */
export type StateHandle = Record<string, unknown>;

/**
 * Result of the synchronous phase of a snapshot. The synchronous phase must be short
 * (it blocks processing): freeze what changed, then `persist` writes asynchronously while
 * processing goes on.
 */
export interface StateSnapshot {
  persist(files: StateFiles): Promise<StateHandle>;
}

export interface KeyedStateBackend {
  readonly kind: 'heap' | 'classic-level' | 'rocksdb';
  valueState<T>(name: string, options?: StateDescriptorOptions): ValueState<T>;
  mapState<K, V>(name: string, options?: StateDescriptorOptions): MapState<K, V>;
  listState<T>(name: string, options?: StateDescriptorOptions): ListState<T>;
  reducingState<T>(name: string, reduce: (a: T, b: T) => T, options?: StateDescriptorOptions): ReducingState<T>;
  /** Scope subsequent state access to `key`. */
  setCurrentKey(key: StateKey): void;
  currentKey(): StateKey | undefined;
  /**
   * Make the given keys' state readable synchronously. Returns `undefined` when nothing had
   * to be loaded, so callers can skip the await on the hot path. Keys stay readable at least
   * until the prefetch after the next one returns, so an executor may prefetch batch n+1
   * while it processes batch n. Reading a key that was not prefetched still works but may do
   * a slow synchronous store read.
   */
  prefetch(keys: Iterable<StateKey>): Promise<void> | undefined;
  /** Every key that has state in `stateName` (used by drains and tests; may be slow). */
  keys(stateName: string): AsyncIterable<StateKey>;
  /** Synchronous phase of a checkpoint. */
  snapshot(checkpointId: number): StateSnapshot;
  /**
   * Replace all state with what `handle` describes (onto a fresh working directory). With
   * `options.keyGroups` only keys of those key groups are kept; with `options.append` the state
   * already restored stays (a rescaled instance restores the handles of several old instances).
   */
  restore(handle: StateHandle, files: StateFiles, options?: RestoreOptions): Promise<void>;
  /** Number of keys with state (approximate for embedded stores). */
  approximateKeyCount(): number;
  /** Counters for metrics (optional; cumulative since creation). */
  stats?(): StateBackendStats;
  close(): Promise<void>;
}

/** Metrics of a keyed state backend; embedded-store fields are absent on the heap backend. */
export interface StateBackendStats {
  /** Same as approximateKeyCount(). */
  keys: number;
  /** Keys looked up by prefetch that were already in memory (cache, dirty or being flushed). */
  prefetchHits?: number;
  /** Keys prefetch had to read from the store. */
  prefetchMisses?: number;
  /** Keys currently cached, over all states. */
  cachedKeys?: number;
  /** Reads of keys that were not prefetched (each a synchronous store read). */
  unprefetchedReads?: number;
  /** Slots written to the store by flushes and snapshots. */
  flushedSlots?: number;
  /** Flush/snapshot writes queued or running. */
  pendingWrites?: number;
}

export interface StateBackendContext {
  /** Stable step name of the operator (identity of its state). */
  operatorId: string;
  /** Index of this parallel instance (0 when not scaled out). */
  subtask: number;
  /** Private scratch directory for embedded stores; may be deleted between runs. */
  workDir: string;
  /** Clock for TTL (injectable in tests). Defaults to Date.now. */
  now?: () => number;
}

export interface StateBackendFactory {
  readonly kind: KeyedStateBackend['kind'];
  create(context: StateBackendContext): Promise<KeyedStateBackend>;
}
