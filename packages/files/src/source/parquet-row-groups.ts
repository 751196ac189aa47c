/**
 * The one place the file source reads Parquet: hyparquet (pure JS, maintained) fetches the
 * footer and then one row group's projected column chunks by byte range through the
 * `FileStorage`, so only one row group of one file is in memory. Chosen by measurement
 * (`scripts/compare-readers.ts`, nested zstd Parquet written by parquet-wasm as the sink does):
 * hyparquet 118k rows/s (488k with two columns projected) vs parquet-wasm -> Arrow rows 81k
 * (whole file) / 59k (per row group). Timestamps are returned as epoch milliseconds (numbers),
 * INT64 as bigint, nested structs, lists and maps as plain objects and arrays.
 */

import { parquetMetadataAsync, parquetRead, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { FileStorage } from '../storage/types.js';

/** One Parquet file opened for reading row groups. */
export interface ParquetRowGroups {
  /** Rows per row group, in file order. */
  readonly rowGroupRows: readonly number[];
  /** Rows of row group `index` from row `fromRow` of the group on, as objects (only `columns`, when given). */
  read(index: number, fromRow?: number): Promise<Record<string, unknown>[]>;
}

const parsers = {
  timestampFromMilliseconds: (ms: bigint) => Number(ms),
  timestampFromMicroseconds: (us: bigint) => Number(us / 1000n),
  timestampFromNanoseconds: (ns: bigint) => Number(ns / 1_000_000n),
};

/** Open `path` on `storage`: ranged reads when the storage offers them, else the whole file once. */
export async function openParquetRowGroups(storage: FileStorage, path: string, columns?: readonly string[]): Promise<ParquetRowGroups> {
  const file = await asyncBufferOf(storage, path);
  const metadata: FileMetaData = await parquetMetadataAsync(file);
  const rowGroupRows = metadata.row_groups.map((g) => Number(g.num_rows));
  const starts: number[] = [];
  let at = 0;
  for (const n of rowGroupRows) {
    starts.push(at);
    at += n;
  }
  return {
    rowGroupRows,
    async read(index, fromRow = 0) {
      const rowStart = starts[index]! + fromRow;
      const rowEnd = starts[index]! + rowGroupRows[index]!;
      if (rowStart >= rowEnd) return [];
      let rows: Record<string, unknown>[] = [];
      await parquetRead({
        file,
        metadata,
        compressors,
        parsers,
        rowStart,
        rowEnd,
        rowFormat: 'object',
        ...(columns !== undefined ? { columns: [...columns] } : {}),
        onComplete: (r) => (rows = r),
      });
      return rows;
    },
  };
}

async function asyncBufferOf(storage: FileStorage, path: string): Promise<AsyncBuffer> {
  if (storage.size !== undefined && storage.readRange !== undefined) {
    const byteLength = await storage.size(path);
    const readRange = storage.readRange.bind(storage);
    return { byteLength, slice: async (start, end) => copyOut(await readRange(path, start, end ?? byteLength)) };
  }
  const whole = await storage.readFile(path);
  return { byteLength: whole.byteLength, slice: (start, end) => copyOut(whole.subarray(start, end)) };
}

/** hyparquet wants an ArrayBuffer of exactly the slice. */
function copyOut(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer;
  // Uint8Array's slice copies (Buffer's would share the pooled memory)
  return Uint8Array.prototype.slice.call(bytes).buffer as ArrayBuffer;
}
