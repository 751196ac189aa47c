import { HeapStateBackend } from './heap/heap-state-backend.js';
import { openClassicLevelStore } from './level/classic-level-store.js';
import { LevelStateBackend, type LevelStateBackendOptions } from './level/level-state-backend.js';
import { openRocksDbStore } from './level/rocksdb-store.js';
import type { StateBackendContext, StateBackendFactory } from './types.js';
import { levelStateBackendOptionsSchema } from '../options/core-schemas.js';
import { validateOptions } from '../options/validate.js';

/**
 * Keyed state in JS memory. Fastest; state size is bounded by the heap and every checkpoint
 * writes all of it (the synchronous part is O(state/1024), the rest is asynchronous).
 *
 * Values are kept by reference (as in every backend until they are flushed or snapshotted):
 * do not mutate an object after passing it to `update`/`put`/`add`; write a new one instead.
 */
export function heapStateBackend(): StateBackendFactory {
  return {
    kind: 'heap',
    create: async (context: StateBackendContext) => new HeapStateBackend(context),
  };
}

/**
 * Keyed state in an embedded LevelDB (classic-level) under `context.workDir`, with an LRU cache
 * of hot keys and batched writes. The default backend for state larger than memory.
 */
export function classicLevelStateBackend(options: LevelStateBackendOptions = {}): StateBackendFactory {
  validateOptions(levelStateBackendOptionsSchema, options, 'classicLevelStateBackend options');
  return {
    kind: 'classic-level',
    create: (context: StateBackendContext) => LevelStateBackend.open(context, openClassicLevelStore, options),
  };
}

/**
 * Keyed state in an embedded RocksDB (optional dependency `@nxtedition/rocksdb`, loaded on
 * first use; `create` fails with an explanatory error when it is not installed).
 * `syncReads: true` makes `prefetch` use RocksDB's synchronous multi-get (no await).
 */
export function rocksDbStateBackend(options: LevelStateBackendOptions = {}): StateBackendFactory {
  validateOptions(levelStateBackendOptionsSchema, options, 'rocksDbStateBackend options');
  return {
    kind: 'rocksdb',
    create: (context: StateBackendContext) => LevelStateBackend.open(context, openRocksDbStore, options),
  };
}
