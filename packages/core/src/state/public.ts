/** Keyed state, public surface (re-exported by the package index): contracts and backends. */
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
