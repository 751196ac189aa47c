/** The Parquet engine contract. */

import type * as arrow from 'apache-arrow';

/** Page compression of a Parquet file. */
export type ParquetCompression = 'zstd' | 'snappy' | 'gzip' | 'none';

/** Options for encoding a table. */
export interface ParquetWriteOptions {
  /** Default `'zstd'` (engines without zstd reject it; see {@link ParquetEngine.compressions}). */
  compression?: ParquetCompression;
  /** Column min/max/null-count statistics; default true. */
  statistics?: boolean;
  /** Rows per row group; default 100 000. */
  rowGroupSize?: number;
}

/** Names of the built-in engines. */
export type ParquetEngineName = 'parquet-wasm' | 'hyparquet-writer' | 'parquetjs-lite';

/** Encodes an Arrow table into one Parquet file. */
export interface ParquetEngine {
  readonly name: ParquetEngineName;
  /** Compressions this engine writes. */
  readonly compressions: readonly ParquetCompression[];
  /** Encode `table` to the bytes of a complete Parquet file. */
  encode(table: arrow.Table, options?: ParquetWriteOptions): Promise<Uint8Array>;
}

/** @internal */
export function resolvedOptions(engine: ParquetEngine, options: ParquetWriteOptions = {}): Required<ParquetWriteOptions> {
  const compression = options.compression ?? 'zstd';
  if (!engine.compressions.includes(compression)) throw new Error(`${engine.name} cannot write ${compression} (supports ${engine.compressions.join(', ')})`);
  return { compression, statistics: options.statistics ?? true, rowGroupSize: options.rowGroupSize ?? 100_000 };
}
