/** Keyed state: contracts, backends (heap, classic-level, RocksDB) and checkpoint file storage. */
export type {
  KeyedStateBackend,
  ListState,
  MapState,
  ReducingState,
  StateBackendContext,
  StateBackendFactory,
  StateBackendStats,
  StateDescriptorOptions,
  StateFiles,
  StateHandle,
  StateKey,
  StateSnapshot,
  StateTtlConfig,
  ValueState,
} from './types.js';
export { classicLevelStateBackend, heapStateBackend, rocksDbStateBackend } from './factories.js';
export type { LevelStateBackendOptions } from './level/level-state-backend.js';
export { LocalStateFiles } from './local-state-files.js';
export type { KvStateHandle } from './state-handle.js';
