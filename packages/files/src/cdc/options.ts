/** Options of {@link cdcUpsertSink}, their run-time schema and defaults. */

import * as arrow from 'apache-arrow';
import { z } from 'zod';
import { custom, fn, schemaFor, strictObject } from '@weir/core';
import { parquetOptionsShape, type ParquetOptions } from '@weir/formats';
import { LocalFileStorage } from '../storage/local.js';
import type { FileStorage } from '../storage/types.js';
import { TimeBuckets } from '../sink/time-buckets.js';
import type { Row } from '../snapshots/parquet-rows.js';
import type { CompactionHook } from './compaction.js';
import { META_COLUMNS, type ChangeOp } from './model.js';
import { partitionPattern, timeZone, writableStorage } from '../options/shared-schemas.js';

export interface CdcUpsertSinkOptions<C> {
  /** Where the table lives: a `FileStorage` or a local directory. */
  storage: FileStorage | string;
  /** The table's directory inside the storage. */
  table: string;
  /** Columns of a row (Arrow types); every column is written nullable. `_key`, `_ts`, `_op` are reserved. */
  schema: arrow.Schema;
  /** The changed row's unique key. */
  keyOf: (change: C) => string;
  opOf: (change: C) => ChangeOp;
  /** The row after the change (ignored for deletes). */
  rowOf: (change: C) => Row;
  /** Millisecond event time of the change (default: the runtime timestamp of the record). */
  timestampOf?: (change: C) => number;
  /** Partition directories by event time (default `dt=YYYY-MM-DD/hour=HH`). */
  partitionPattern?: string;
  /** IANA zone of the partition pattern (default UTC). */
  timeZone?: string;
  /** Parquet engine and compression (`@weir/formats`; default parquet-wasm, zstd). */
  parquet?: ParquetOptions;
  /** Changes for a partition that was already compacted; default: a warning with their count. */
  onLate?: (changes: readonly C[]) => void;
  /** Tests: called before each compaction step. */
  compactionHook?: CompactionHook;
}


export const cdcUpsertSinkOptionsSchema = schemaFor<CdcUpsertSinkOptions<any>>()(
  strictObject({
    storage: writableStorage,
    table: z.string().min(1),
    schema: custom<arrow.Schema>(
      (s) => s instanceof arrow.Schema && !s.fields.some((f) => (META_COLUMNS as readonly string[]).includes(f.name)),
      `an Arrow Schema without the reserved columns ${META_COLUMNS.join(', ')}`,
    ),
    keyOf: fn<CdcUpsertSinkOptions<any>['keyOf']>(),
    opOf: fn<CdcUpsertSinkOptions<any>['opOf']>(),
    rowOf: fn<CdcUpsertSinkOptions<any>['rowOf']>(),
    timestampOf: fn<NonNullable<CdcUpsertSinkOptions<any>['timestampOf']>>().optional(),
    partitionPattern: partitionPattern.optional(),
    timeZone: timeZone.optional(),
    parquet: strictObject(parquetOptionsShape).optional(),
    onLate: fn<NonNullable<CdcUpsertSinkOptions<any>['onLate']>>().optional(),
    compactionHook: fn<CompactionHook>().optional(),
  }),
);

export interface ResolvedCdcOptions<C> extends Omit<CdcUpsertSinkOptions<C>, 'storage' | 'parquet' | 'table'> {
  readonly storage: FileStorage;
  readonly table: string;
  readonly buckets: TimeBuckets;
  readonly parquet: ParquetOptions;
}

export function resolveCdcOptions<C>(o: CdcUpsertSinkOptions<C>): ResolvedCdcOptions<C> {
  return {
    ...o,
    storage: typeof o.storage === 'string' ? new LocalFileStorage(o.storage) : o.storage,
    table: o.table.replace(/^\/+|\/+$/g, ''),
    buckets: new TimeBuckets(o.partitionPattern ?? 'dt=YYYY-MM-DD/hour=HH', o.timeZone ?? 'UTC'),
    parquet: o.parquet ?? {},
  };
}
