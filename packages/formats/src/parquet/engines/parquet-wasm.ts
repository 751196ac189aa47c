/** parquet-wasm (arrow-rs in wasm): Arrow IPC in, Parquet out. */

import * as arrow from 'apache-arrow';
import { Compression, EnabledStatistics, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm';
import { resolvedOptions, type ParquetEngine, type ParquetWriteOptions } from '../types.js';

const COMPRESSION = { zstd: Compression.ZSTD, snappy: Compression.SNAPPY, gzip: Compression.GZIP, none: Compression.UNCOMPRESSED } as const;

/** The parquet-wasm engine: every Arrow type, zstd/snappy/gzip, page statistics. */
export const parquetWasmEngine: ParquetEngine = {
  name: 'parquet-wasm',
  compressions: ['zstd', 'snappy', 'gzip', 'none'],
  async encode(table: arrow.Table, options?: ParquetWriteOptions): Promise<Uint8Array> {
    const o = resolvedOptions(this, options);
    const properties = new WriterPropertiesBuilder()
      .setCompression(COMPRESSION[o.compression])
      .setStatisticsEnabled(o.statistics ? EnabledStatistics.Page : EnabledStatistics.None)
      .setMaxRowGroupSize(o.rowGroupSize)
      .setCreatedBy('weir formats (parquet-wasm)')
      .build();
    // writeParquet takes ownership of (and frees) both wasm objects
    return writeParquet(WasmTable.fromIPCStream(arrow.tableToIPC(table, 'stream')), properties);
  },
};
