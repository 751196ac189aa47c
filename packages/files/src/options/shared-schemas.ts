/** Option schemas the sink, the source, the CDC sink and the snapshot tables share (one message each). */

import { z } from 'zod';
import { withMethods } from '@weir/core';
import type { FileStorage } from '../storage/types.js';
import { TimeBuckets } from '../sink/time-buckets.js';

/** A root directory or a FileStorage that can be read (sources, snapshot tables). */
export const readableStorage = z.union([z.string().min(1), withMethods<FileStorage>(['readFile', 'list', 'exists'], 'a FileStorage')]);

/** A root directory or a FileStorage that can be written with two-phase commit (sinks). */
export const writableStorage = z.union([z.string().min(1), withMethods<FileStorage>(['openWrite', 'writeFile', 'readFile', 'rename', 'list', 'delete'], 'a FileStorage')]);

export const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'unknown IANA time zone');

/** Checked by the same parser that will use it (tokens, daily or hourly granularity). */
export const partitionPattern = z.string().superRefine((pattern, ctx) => {
  try {
    new TimeBuckets(pattern, 'UTC');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});
