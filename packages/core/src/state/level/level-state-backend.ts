import { mkdir, rm } from 'node:fs/promises';
import { AbstractKeyedStateBackend } from '../abstract-keyed-backend.js';
import { decodeKvFile, encodeKvFile, type KvPair } from '../kv-file.js';
import type { StateTable } from '../slot-access.js';
import { StateEntry } from '../state-entry.js';
import { asKvHandle, kvHandle, yieldToEventLoop } from '../state-handle.js';
import { splitKey, stateRange } from '../state-key.js';
import { keyFilterFor } from '../key-groups.js';
import type { RestoreOptions, StateBackendContext, StateBackendStats, StateFiles, StateHandle, StateKey, StateSnapshot } from '../types.js';
import { decodeSlot, encodeSlot, slotExpiry } from '../value-codec.js';
import type { LevelBatchOp, LevelStore, LevelStoreIterator, LevelStoreOpener } from './level-store.js';
import { LevelStateTable, type PendingSlot } from './level-state-table.js';
import { SerialQueue } from './serial-queue.js';

/** Tuning of the level backend. */
export interface LevelStateBackendOptions {
  /** Cached keys per state (LRU by prefetch). Default 100_000. */
  cacheSize?: number;
  /** Flush buffered writes to the store once this many (state, key) slots are dirty. Default 20_000. */
  flushThreshold?: number;
  /** `prefetch` waits for the store when more flushes than this are still being written. Default 4. */
  maxPendingFlushes?: number;
  /**
   * Use the store's synchronous multi-get in `prefetch` when it has one (rocksdb), so prefetch
   * needs no await. Default false: measured with 1M keys (2 cores, noisy) it was no faster
   * (80-98k vs 80-103k updates/s async) and it blocks the event loop during disk reads.
   */
  syncReads?: boolean;
}

const WRITE_BATCH = 10_000;
const READ_BATCH = 1_000;
const SNAPSHOT_FILE = 'state.kv';

/** Frozen dirty maps of all states, being written to the store. */
type FrozenWrites = Map<LevelStateTable, Map<string, PendingSlot>>;

/**
 * Keyed state in an embedded LSM store (classic-level or RocksDB) with an LRU cache of hot
 * keys and a dirty set flushed in ordered batches. Reads are synchronous after `prefetch`.
 */
export class LevelStateBackend extends AbstractKeyedStateBackend<LevelStateTable> {
  readonly kind: 'classic-level' | 'rocksdb';
  private readonly cacheSize: number;
  private readonly flushThreshold: number;
  private readonly maxPendingFlushes: number;
  private readonly getManySync: ((keys: string[]) => (Buffer | undefined)[]) | undefined;
  private readonly writes = new SerialQueue();
  /** Dirty maps handed to the write queue and not yet in the store, oldest first. */
  private readonly unflushed: FrozenWrites[] = [];
  private dirtyCount = 0;
  private loading = 0;
  private keyCount = 0;
  private closed = false;
  private prefetchHits = 0;
  private prefetchMisses = 0;
  private flushedSlots = 0;
  private unprefetchedReads = 0;
  private lastPrefetched: ReadonlySet<string> = new Set();

  private constructor(
    private readonly store: LevelStore,
    now: () => number,
    options: LevelStateBackendOptions,
  ) {
    super(now);
    this.kind = store.kind;
    this.cacheSize = options.cacheSize ?? 100_000;
    this.flushThreshold = options.flushThreshold ?? 20_000;
    this.maxPendingFlushes = options.maxPendingFlushes ?? 4;
    this.getManySync = (options.syncReads ?? false) ? store.getManySync : undefined;
    if (!(this.cacheSize >= 1) || !(this.flushThreshold >= 1)) throw new Error('cacheSize and flushThreshold must be >= 1');
  }

  /** Opens a backend on a freshly cleared `<workDir>`. */
  static async open(context: StateBackendContext, openStore: LevelStoreOpener, options: LevelStateBackendOptions = {}): Promise<LevelStateBackend> {
    await rm(context.workDir, { recursive: true, force: true });
    await mkdir(context.workDir, { recursive: true });
    const store = await openStore(context.workDir);
    return new LevelStateBackend(store, context.now ?? Date.now, options);
  }

  protected createTable(base: StateTable): LevelStateTable {
    return new LevelStateTable(base);
  }

  protected getEntry(table: LevelStateTable, key: StateKey): StateEntry | undefined {
    const cached = table.cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    let slot = this.unflushedSlot(table, key);
    if (slot === undefined) {
      // Not prefetched: a synchronous point read (slow path, correct but avoid it per record).
      this.unprefetchedReads++;
      const bytes = this.getManySync !== undefined ? this.getManySync([table.prefix + key])[0] : this.store.getSync(table.prefix + key);
      slot = this.toSlot(bytes);
    }
    table.cache.set(key, slot);
    return slot ?? undefined;
  }

  protected peekEntry(table: LevelStateTable, key: StateKey): StateEntry | undefined {
    return table.cache.get(key) ?? table.dirty.get(key) ?? undefined;
  }

  protected putEntry(table: LevelStateTable, key: StateKey, entry: StateEntry): void {
    if (table.cache.get(key) !== entry) {
      if (!table.cache.get(key)) this.keyCount++;
      table.cache.set(key, entry);
    }
    this.markDirty(table, key, entry);
  }

  protected deleteEntry(table: LevelStateTable, key: StateKey): void {
    if (table.cache.get(key) !== null) {
      if (table.cache.get(key) !== undefined) this.keyCount--;
      table.cache.set(key, null);
    }
    this.markDirty(table, key, null);
  }

  prefetch(keys: Iterable<StateKey>): Promise<void> | undefined {
    if (this.writes.error !== undefined) return Promise.reject(this.writes.error);
    const unique = keys instanceof Set ? (keys as Set<StateKey>) : new Set(keys);
    const missTables: LevelStateTable[] = [];
    const missKeys: string[] = [];
    const storeKeys: string[] = [];
    for (const table of this.tables.values()) {
      const cache = table.cache;
      for (const key of unique) {
        const cached = cache.get(key);
        if (cached !== undefined) {
          // Refresh LRU position.
          cache.delete(key);
          cache.set(key, cached);
          continue;
        }
        const slot = this.unflushedSlot(table, key);
        if (slot !== undefined) {
          cache.set(key, slot);
          continue;
        }
        missTables.push(table);
        missKeys.push(key);
        storeKeys.push(table.prefix + key);
      }
    }
    this.prefetchMisses += storeKeys.length;
    this.prefetchHits += unique.size * this.tables.size - storeKeys.length;
    const backpressure = this.writes.size > this.maxPendingFlushes ? this.writes.below(this.maxPendingFlushes) : undefined;
    // Awaited below or returned; the no-op handler only keeps an early rejection from counting as unhandled.
    backpressure?.catch(() => undefined);
    if (storeKeys.length === 0) {
      this.evict(unique);
      return backpressure;
    }
    if (this.getManySync !== undefined) {
      this.install(missTables, missKeys, this.getManySync(storeKeys));
      this.evict(unique);
      return backpressure;
    }
    this.loading++;
    return this.store.getMany(storeKeys).then(
      async (values) => {
        this.loading--;
        this.install(missTables, missKeys, values);
        this.evict(unique);
        await backpressure;
      },
      (err: unknown) => {
        this.loading--;
        throw err;
      },
    );
  }

  async *keys(stateName: string): AsyncIterable<StateKey> {
    this.flush();
    // The iterator is created inside the write queue, so it sees every write made before this call.
    const iterator = await this.writes.run(async () => this.store.iterator(stateRange(stateName)));
    const skip = Buffer.byteLength(stateName) + 1;
    const now = this.now();
    try {
      while (true) {
        const rows = await iterator.nextv(READ_BATCH);
        if (rows.length === 0) return;
        for (const [key, value] of rows) {
          const expiresAt = slotExpiry(value);
          if (expiresAt === 0 || now < expiresAt) yield key.toString('utf8', skip);
        }
      }
    } finally {
      await iterator.close();
    }
  }

  snapshot(checkpointId: number): StateSnapshot {
    const frozen = this.freezeDirty();
    // Entries in `frozen` (and in older unflushed maps) are immutable from now on.
    this.version++;
    const cutoff = this.now();
    const iteratorReady = this.writes.run(async () => {
      if (frozen !== undefined) await this.writeFrozen(frozen);
      return this.store.iterator();
    });
    // Avoid an unhandled rejection if persist is never called; persist re-awaits it.
    iteratorReady.catch(() => undefined);
    return {
      persist: async (files: StateFiles): Promise<StateHandle> => {
        const iterator = await iteratorReady;
        const counter = { entries: 0 };
        try {
          await files.write(SNAPSHOT_FILE, encodeKvFile(liveRows(iterator, cutoff, counter)));
        } finally {
          await iterator.close();
        }
        return kvHandle(this.kind, checkpointId, [SNAPSHOT_FILE], counter.entries);
      },
    };
  }

  async restore(handle: StateHandle, files: StateFiles, options: RestoreOptions = {}): Promise<void> {
    const kv = asKvHandle(handle);
    const append = options.append === true;
    const keep = keyFilterFor(options.keyGroups);
    await this.writes.idle();
    for (const table of this.tables.values()) {
      table.cache = new Map();
      table.dirty = new Map();
    }
    this.dirtyCount = 0;
    this.version++;
    if (!append) this.keyCount = 0;
    await this.writes.run(async () => {
      if (!append) await this.store.clear();
      const now = this.now();
      let ops: LevelBatchOp[] = [];
      for (const file of kv.files) {
        for await (const pairs of decodeKvFile(files.readStream(file))) {
          for (const [key, value] of pairs) {
            const expiresAt = slotExpiry(value);
            if (expiresAt !== 0 && now >= expiresAt) continue;
            if (keep !== undefined && !keep(splitKey(key)[1])) continue;
            ops.push({ type: 'put', key, value });
          }
          if (ops.length >= WRITE_BATCH) {
            this.keyCount += ops.length;
            await this.store.batch(ops);
            ops = [];
          }
        }
      }
      this.keyCount += ops.length;
      if (ops.length > 0) await this.store.batch(ops);
    });
  }

  approximateKeyCount(): number {
    return Math.max(0, this.keyCount);
  }

  stats(): StateBackendStats {
    let cachedKeys = 0;
    for (const table of this.tables.values()) cachedKeys += table.cache.size;
    return {
      keys: this.approximateKeyCount(),
      prefetchHits: this.prefetchHits,
      prefetchMisses: this.prefetchMisses,
      cachedKeys,
      unprefetchedReads: this.unprefetchedReads,
      flushedSlots: this.flushedSlots,
      pendingWrites: this.writes.size,
    };
  }

  /** Starts writing all buffered writes to the store (in order after earlier flushes). */
  flush(): void {
    const frozen = this.freezeDirty();
    if (frozen === undefined) return;
    this.writes.run(() => this.writeFrozen(frozen)).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.writes.idle().catch(() => undefined);
    } finally {
      await this.store.close();
    }
  }

  private markDirty(table: LevelStateTable, key: string, slot: PendingSlot): void {
    const before = table.dirty.size;
    table.dirty.set(key, slot);
    if (table.dirty.size !== before && ++this.dirtyCount >= this.flushThreshold) this.flush();
  }

  /** Latest write of `key` not yet in the store: dirty first, then newest unflushed batch. */
  private unflushedSlot(table: LevelStateTable, key: string): PendingSlot | undefined {
    const dirty = table.dirty.get(key);
    if (dirty !== undefined) return dirty;
    for (let i = this.unflushed.length - 1; i >= 0; i--) {
      const slot = this.unflushed[i]!.get(table)?.get(key);
      if (slot !== undefined) return slot;
    }
    return undefined;
  }

  /** Swaps out every dirty map in O(number of states); undefined when nothing is dirty. */
  private freezeDirty(): FrozenWrites | undefined {
    if (this.dirtyCount === 0) return undefined;
    const frozen: FrozenWrites = new Map();
    for (const table of this.tables.values()) {
      if (table.dirty.size === 0) continue;
      frozen.set(table, table.dirty);
      table.dirty = new Map();
    }
    this.dirtyCount = 0;
    this.unflushed.push(frozen);
    return frozen;
  }

  /** Encodes and writes a frozen dirty set in bounded batches, then stops serving reads from it. */
  private async writeFrozen(frozen: FrozenWrites): Promise<void> {
    let ops: LevelBatchOp[] = [];
    for (const [table, slots] of frozen) {
      for (const [key, slot] of slots) {
        ops.push(slot === null ? { type: 'del', key: table.prefix + key } : { type: 'put', key: table.prefix + key, value: encodeSlot(slot.value, slot.expiresAt) });
        if (ops.length === WRITE_BATCH) {
          await this.store.batch(ops);
          this.flushedSlots += ops.length;
          ops = [];
        }
      }
    }
    if (ops.length > 0) await this.store.batch(ops);
    this.flushedSlots += ops.length;
    this.unflushed.splice(this.unflushed.indexOf(frozen), 1);
  }

  private install(tables: LevelStateTable[], keys: string[], values: (Buffer | undefined)[]): void {
    for (let i = 0; i < keys.length; i++) {
      const table = tables[i]!;
      const key = keys[i]!;
      // A write that happened while loading is newer than what the store returned.
      if (table.cache.has(key)) continue;
      const slot = this.unflushedSlot(table, key);
      table.cache.set(key, slot !== undefined ? slot : this.toSlot(values[i]));
    }
  }

  private evict(keep: ReadonlySet<string>): void {
    // The previous batch's keys stay too: an executor may prefetch batch n+1 while it is
    // still processing batch n.
    const previous = this.lastPrefetched;
    this.lastPrefetched = keep;
    // Evicting while another prefetch is loading could drop a key it then installs stale.
    if (this.loading > 0) return;
    // Evict in steps of ~10% so the scan over the map's oldest entries is amortised.
    const protectedKeys = keep.size + previous.size;
    const capacity = Math.max(this.cacheSize, protectedKeys);
    const target = Math.max(Math.floor(this.cacheSize * 0.9), protectedKeys);
    for (const table of this.tables.values()) {
      if (table.cache.size > capacity) table.evict(target, keep, previous);
    }
  }

  private toSlot(bytes: Buffer | undefined): PendingSlot {
    if (bytes === undefined) return null;
    const { value, expiresAt } = decodeSlot(bytes);
    return new StateEntry(value, expiresAt, this.version, true);
  }
}

/** Streams the store through a snapshot iterator, dropping values expired at the snapshot. */
async function* liveRows(iterator: LevelStoreIterator, cutoff: number, counter: { entries: number }): AsyncGenerator<KvPair[]> {
  while (true) {
    const rows = await iterator.nextv(READ_BATCH);
    if (rows.length === 0) return;
    const live: KvPair[] = [];
    for (const row of rows) {
      const expiresAt = slotExpiry(row[1]);
      if (expiresAt === 0 || cutoff < expiresAt) live.push(row);
    }
    counter.entries += live.length;
    yield live;
    await yieldToEventLoop();
  }
}
