/**
 * The slice of the abstract-level API the level backend uses, so one backend class runs on
 * classic-level (abstract-level 3) and @nxtedition/rocksdb (abstract-level 1) alike.
 * Keys are utf8 strings, values Buffers.
 */
export type LevelBatchOp = { type: 'put'; key: string; value: Buffer } | { type: 'del'; key: string };

export interface LevelStoreIterator {
  /** Up to `size` entries; an empty array at the end. */
  nextv(size: number): Promise<[Buffer, Buffer][]>;
  close(): Promise<void>;
}

export interface LevelStore {
  readonly kind: 'classic-level' | 'rocksdb';
  batch(ops: LevelBatchOp[]): Promise<void>;
  getMany(keys: string[]): Promise<(Buffer | undefined)[]>;
  /** Synchronous multi-get, when the store has one (rocksdb). */
  readonly getManySync: ((keys: string[]) => (Buffer | undefined)[]) | undefined;
  /** Synchronous single get (fallback for keys that were not prefetched). */
  getSync(key: string): Buffer | undefined;
  /**
   * Iterator over `[gte, lt)` (whole store when omitted) with buffer keys and values. It reads
   * an implicit snapshot taken when it is created: later writes are not visible to it.
   */
  iterator(range?: { gte: string; lt: string }): LevelStoreIterator;
  clear(): Promise<void>;
  close(): Promise<void>;
}

/** Opens a store in `dir` (which exists and is empty). */
export type LevelStoreOpener = (dir: string) => Promise<LevelStore>;
