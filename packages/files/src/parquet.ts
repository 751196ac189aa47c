/**
 * `@weir/files/parquet` — the Parquet bulk format (a separate entry point, so the JSON-lines
 * sink does not load Arrow and the Parquet engines).
 */

export { parquetFormat } from './format/parquet.js';
export type { ParquetFormatOptions } from './format/parquet.js';
