/** Keyed state for the runtime, tests and benchmarks: the public surface plus checkpoint file storage. */
export * from './public.js';
export { LocalStateFiles } from './local-state-files.js';
export type { KvStateHandle } from './state-handle.js';
