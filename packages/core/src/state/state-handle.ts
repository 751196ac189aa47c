import type { StateHandle } from './types.js';

/** Format tag of the key/value checkpoint files written by all Weir backends. */
export const KV_FORMAT = 'weir-kv/1';

/** What a Weir keyed-state snapshot handle contains. */
export interface KvStateHandle extends StateHandle {
  format: typeof KV_FORMAT;
  /** Backend that wrote it; any backend can restore any KV handle. */
  backend: string;
  checkpointId: number;
  /** Files (in the checkpoint's StateFiles) holding the entries, in restore order. */
  files: string[];
  /** Number of entries written (after dropping expired ones). */
  entries: number;
}

export function kvHandle(backend: string, checkpointId: number, files: string[], entries: number): KvStateHandle {
  return { format: KV_FORMAT, backend, checkpointId, files, entries };
}

/** Validates a handle read back from checkpoint metadata. */
export function asKvHandle(handle: StateHandle): KvStateHandle {
  if (handle['format'] !== KV_FORMAT || !Array.isArray(handle['files'])) {
    throw new Error(`Unsupported keyed state handle (format ${JSON.stringify(handle['format'])}, expected ${KV_FORMAT})`);
  }
  return handle as KvStateHandle;
}

/** Lets a long synchronous loop give the event loop a turn (persist runs beside processing). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
