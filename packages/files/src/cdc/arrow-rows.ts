/**
 * Table changes <-> Arrow / Parquet: the user's columns (from the sink's Arrow schema, all
 * nullable so a delete can leave them empty) plus `_key`, `_ts` and, in deltas, `_op`.
 */

import * as arrow from 'apache-arrow';
import { toParquet, type ParquetOptions } from '@weir/formats';
import { parquetRowBatches, type Row } from '../snapshots/parquet-rows.js';
import { columnOf } from './columns.js';
import { KEY_COLUMN, OP_COLUMN, TS_COLUMN, type TableChange } from './model.js';

/** Encode changes as one Parquet file; `withOp` adds the `_op` column (deltas keep deletes). */
export async function changesToParquet(schema: arrow.Schema, changes: readonly TableChange[], withOp: boolean, parquet: ParquetOptions): Promise<Uint8Array> {
  const columns: Record<string, arrow.Vector> = {};
  for (const field of schema.fields) {
    columns[field.name] = columnOf(
      field.type,
      changes.map((c) => c.row?.[field.name]),
    );
  }
  columns[KEY_COLUMN] = columnOf(new arrow.Utf8(), changes.map((c) => c.key));
  columns[TS_COLUMN] = columnOf(new arrow.Float64(), changes.map((c) => c.ts));
  if (withOp) columns[OP_COLUMN] = columnOf(new arrow.Utf8(), changes.map((c) => (c.row === undefined ? 'delete' : 'upsert')));
  return toParquet(new arrow.Table(columns), parquet);
}

/** Changes stored in a delta or snapshot file, in file order. */
export function* changesFromParquet(bytes: Uint8Array): Generator<TableChange> {
  for (const rows of parquetRowBatches(bytes)) {
    for (const r of rows) {
      const key = r[KEY_COLUMN] as string;
      const ts = r[TS_COLUMN] as number;
      const deleted = r[OP_COLUMN] === 'delete';
      const row: Row = {};
      for (const name in r) if (name !== KEY_COLUMN && name !== TS_COLUMN && name !== OP_COLUMN) row[name] = r[name];
      yield { key, ts, row: deleted ? undefined : row };
    }
  }
}
