/** Options of {@link fileSource} and their run-time schema. */

import { z } from 'zod';
import { count, durationMs, fn, schemaFor, strictObject, withMethods } from '@weir/core';
import type { FileStorage } from '../storage/types.js';
import { TimeBuckets } from '../sink/time-buckets.js';
import type { PartitionReadiness } from './readiness.js';
import { readableStorage, timeZone } from '../options/shared-schemas.js';

/** A row as the Parquet reader returns it: column name -> value (nested values as objects and arrays). */
export type Row = Record<string, unknown>;

export interface FileSourceOptions<T = Row> {
  /** Where the tables are (a `FileStorage` or a local directory): the file sink's `storage`. */
  storage: FileStorage | string;
  /** Tables (streams) to read, as the sink named them; each is one split, read in partition order. */
  tables: readonly string[];
  /** First partition to read: the one containing this time (epoch ms). */
  from: number;
  /**
   * End (epoch ms, exclusive): the source is bounded and ends once every partition starting
   * before `to` was read. Without it the source follows newly announced partitions forever.
   */
  to?: number;
  /** The sink's partition pattern and time zone (defaults as the sink's: `dt=YYYY-MM-DD/hour=HH`, UTC). */
  partitionPattern?: string;
  timeZone?: string;
  /**
   * When a partition may be read: `'success-file'` (default) once its `_SUCCESS` exists,
   * `kafkaAnnouncements(…)` once the committer's notification arrived, `'none'` at once
   * (files present now; for tables written without announcements).
   */
  readiness?: 'success-file' | 'none' | PartitionReadiness;
  /** How often a table waiting for its next partition checks for `_SUCCESS` (default 1000 ms). */
  pollIntervalMs?: number;
  /** Columns to read (projection; nested columns by their top-level name); default all. */
  columns?: readonly string[];
  /** Most records per batch (default 2000). */
  batchSize?: number;
  /** Make a record of a row (default: the row itself). */
  recordOf?: (row: Row, table: string) => T;
}

const time = z.number().finite();

export const fileSourceOptionsSchema = schemaFor<FileSourceOptions<any>>()(
  strictObject({
    storage: readableStorage,
    tables: z.array(z.string().min(1)).min(1).readonly(),
    from: time,
    to: time.optional(),
    partitionPattern: z.string().min(1).optional(),
    timeZone: timeZone.optional(),
    readiness: z.union([z.enum(['success-file', 'none']), withMethods<PartitionReadiness>(['isReady'], 'a PartitionReadiness')]).optional(),
    pollIntervalMs: durationMs().optional(),
    columns: z.array(z.string().min(1)).readonly().optional(),
    batchSize: count(1).optional(),
    recordOf: fn<NonNullable<FileSourceOptions<any>['recordOf']>>().optional(),
  }).superRefine((o, ctx) => {
    try {
      new TimeBuckets(o.partitionPattern ?? 'dt=YYYY-MM-DD/hour=HH', o.timeZone ?? 'UTC');
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['partitionPattern'], message: (err as Error).message });
    }
    if (o.to !== undefined && o.to <= o.from) ctx.addIssue({ code: 'custom', path: ['to'], message: `must be after from (${o.from})` });
    if (new Set(o.tables).size !== o.tables.length) ctx.addIssue({ code: 'custom', path: ['tables'], message: 'lists a table twice' });
  }),
);
