/** Window kinds accepted by `windowed`, and the options they share. */

import { LATE_DATA, type OutputTag } from '@weir/core';

export type WindowSpec =
  | { readonly kind: 'sliding'; readonly sizeMs: number; readonly slideMs: number; readonly offsetMs: number }
  | { readonly kind: 'session'; readonly gapMs: number };

/** Fixed, non-overlapping windows of `sizeMs`, aligned to the epoch plus `offsetMs`. */
export function tumbling(sizeMs: number, offsetMs = 0): WindowSpec {
  return { kind: 'sliding', sizeMs, slideMs: sizeMs, offsetMs };
}

/** Windows of `sizeMs` starting every `slideMs`; each record updates one slice, not every window. */
export function sliding(sizeMs: number, slideMs: number, offsetMs = 0): WindowSpec {
  return { kind: 'sliding', sizeMs, slideMs, offsetMs };
}

/** Per key, records closer than `gapMs` to each other form one window [first, last + gap). */
export function session(gapMs: number): WindowSpec {
  if (!Number.isSafeInteger(gapMs) || gapMs <= 0) throw new RangeError(`session gap must be a positive integer number of ms, got ${gapMs}`);
  return { kind: 'session', gapMs };
}

/** Counters a window step adds to (the same object survives restarts of the job). */
export interface WindowCounters {
  lateRecords: number;
}

export interface WindowedOptions {
  /** Keep windows this long after their end; a record for a fired window fires it again (default 0). */
  allowedLatenessMs?: number;
  /** Side output for records whose windows are all closed (default core's `LATE_DATA`). */
  lateTag?: OutputTag<unknown>;
  /** Late records are counted here when given. */
  counters?: WindowCounters;
}

export interface ResolvedWindowOptions {
  lateness: number;
  lateTag: OutputTag<unknown>;
  counters: WindowCounters | undefined;
}

export function resolveWindowOptions(options: WindowedOptions): ResolvedWindowOptions {
  const lateness = options.allowedLatenessMs ?? 0;
  if (!Number.isSafeInteger(lateness) || lateness < 0) throw new RangeError(`allowed lateness must be an integer >= 0, got ${lateness}`);
  return { lateness, lateTag: options.lateTag ?? LATE_DATA, counters: options.counters };
}
