/**
 * A dimension table's hourly snapshots as a changelog, for `temporalJoin` (`@weir/operators`):
 * the first snapshot's rows, then per partition the rows that changed or appeared and the keys
 * that disappeared (row undefined), each at the partition's start. Joined "as of" a record's
 * event time this gives the same answer as a lookup in the snapshot of the record's partition.
 * Holds two snapshots in memory at a time (use `DimensionTable` for tables that do not fit).
 */

import { isDeepStrictEqual } from 'node:util';
import { fn, oneOf, schemaFor, strictObject, validateOptions } from '@weir/core';
import { z } from 'zod';
import { LocalFileStorage } from '../storage/local.js';
import { listCommittedFiles } from '../sink/merge.js';
import { TimeBuckets } from '../sink/time-buckets.js';
import type { FileStorage } from '../storage/types.js';
import { parquetRowBatches, type Row } from './parquet-rows.js';
import { partitionPattern, readableStorage, timeZone } from '../options/shared-schemas.js';

export interface DimensionChange<R extends Row = Row> {
  readonly key: string;
  /** When this version starts: its partition's start (or end, with `asOf: 'end'`). */
  readonly ts: number;
  /** undefined: the key is gone from this snapshot on. */
  readonly row: R | undefined;
}

export interface DimensionChangelogOptions<R extends Row = Row> {
  storage: FileStorage | string;
  table: string;
  keyOf: (row: R) => string;
  /** Event time range: the partitions containing `from` up to the one containing `to - 1`. */
  from: number;
  to: number;
  partitionPattern?: string;
  timeZone?: string;
  /** As in `DimensionTable`: a snapshot describes its partition's `'start'` (default) or `'end'` (CDC upsert snapshots; versions at the partition's end). */
  asOf?: 'start' | 'end';
}

const schema = schemaFor<DimensionChangelogOptions<any>>()(
  strictObject({
    storage: readableStorage,
    table: z.string().min(1),
    keyOf: fn<(row: any) => string>(),
    from: z.number().finite(),
    to: z.number().finite(),
    partitionPattern: partitionPattern.optional(),
    timeZone: timeZone.optional(),
    asOf: oneOf(['start', 'end']).optional(),
  }),
);

/** Changes between consecutive announced snapshots; a partition without `_SUCCESS` is an error. Options are checked when called (`OptionsError`). */
export function dimensionChangelog<R extends Row = Row>(o: DimensionChangelogOptions<R>): AsyncGenerator<DimensionChange<R>> {
  validateOptions(schema, o, 'dimensionChangelog options');
  return changes(o);
}

async function* changes<R extends Row>(o: DimensionChangelogOptions<R>): AsyncGenerator<DimensionChange<R>> {
  const storage = typeof o.storage === 'string' ? new LocalFileStorage(o.storage) : o.storage;
  const table = o.table.replace(/^\/+|\/+$/g, '');
  const buckets = new TimeBuckets(o.partitionPattern ?? 'dt=YYYY-MM-DD/hour=HH', o.timeZone ?? 'UTC');
  let previous = new Map<string, R>();
  for (let p = buckets.partitionOf(o.from); p.start < o.to; p = buckets.partitionOf(p.end)) {
    const dir = `${table}/${p.path}`;
    if (!(await storage.exists(`${dir}/_SUCCESS`))) throw new Error(`dimension snapshot ${dir} is not announced (no _SUCCESS)`);
    const at = o.asOf === 'end' ? p.end : p.start;
    const current = new Map<string, R>();
    for (const file of await listCommittedFiles(storage, dir)) {
      if (!file.endsWith('.parquet')) continue;
      for (const rows of parquetRowBatches(await storage.readFile(`${dir}/${file}`))) for (const row of rows) current.set(o.keyOf(row as R), row as R);
    }
    for (const [key, row] of current) if (!isDeepStrictEqual(previous.get(key), row)) yield { key, ts: at, row };
    for (const key of previous.keys()) if (!current.has(key)) yield { key, ts: at, row: undefined };
    previous = current;
  }
}
