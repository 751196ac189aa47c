/** Records buffered in a MapState by timestamp (timestamp -> records in arrival order). */

import type { MapState } from '@weir/core';

/** Appends `value` at `ts`; true when `ts` had no records yet (the caller registers its timer then). */
export function appendAt<T>(buffer: MapState<number, T[]>, ts: number, value: T): boolean {
  const same = buffer.get(ts);
  // a new array: state holds values by reference until flushed
  buffer.put(ts, same === undefined ? [value] : [...same, value]);
  return same === undefined;
}

/** Removes every timestamp for which `expired(ts)` holds. */
export function removeWhere<T>(buffer: MapState<number, T[]>, expired: (ts: number) => boolean): void {
  for (const ts of [...buffer.keys()]) if (expired(ts)) buffer.remove(ts);
}
