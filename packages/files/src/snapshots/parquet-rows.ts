/**
 * Rows of a Parquet file as plain objects, one Arrow record batch at a time. Reads with
 * parquet-wasm (already this package's merge reader; it decodes every codec the writers emit,
 * zstd included), so a caller holds the file's bytes plus one batch of objects, never a table
 * of objects.
 */

import * as arrow from 'apache-arrow';
import { readParquet } from 'parquet-wasm';

export type Row = Record<string, unknown>;

/** Plain values: Arrow vectors give bigint for int64, ms numbers for timestamps and dates. */
function plain(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  return value;
}

/** Yields the rows of `bytes` in file order, in batches of up to `batchSize`. */
export function* parquetRowBatches(bytes: Uint8Array, batchSize = 8192): Generator<Row[]> {
  const table = arrow.tableFromIPC(readParquet(bytes, { batchSize }).intoIPCStream());
  const names = table.schema.fields.map((f) => f.name);
  for (const batch of table.batches) {
    const columns = names.map((_, i) => batch.getChildAt(i)!);
    const rows: Row[] = new Array<Row>(batch.numRows);
    for (let r = 0; r < batch.numRows; r++) {
      const row: Row = {};
      for (let c = 0; c < names.length; c++) row[names[c]!] = plain(columns[c]!.get(r));
      rows[r] = row;
    }
    yield rows;
  }
}
