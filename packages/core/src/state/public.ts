/** Keyed state, public surface (re-exported by the package index): contracts and backends. */
export type {
  KeyedStateBackend,
  ListState,
  MapState,
  ReducingState,
  RestoreOptions,
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
export { DEFAULT_MAX_PARALLELISM, keyGroupOf, keyGroupRangeFor, subtaskForKeyGroup } from './key-groups.js';
export type { KeyGroupRange, KeyGroupScope } from './key-groups.js';
