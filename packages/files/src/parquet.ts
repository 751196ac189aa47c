/**
 * `@weir/files/parquet` — the Parquet bulk format (a separate entry point, so the JSON-lines
 * sink does not load Arrow and the Parquet engines).
 */

export { parquetFormat } from './format/parquet.js';
export type { ParquetFormatOptions } from './format/parquet.js';

export { cdcUpsertSink } from './cdc/upsert-sink.js';
export type { CdcUpsertSink } from './cdc/upsert-sink.js';
export type { CdcUpsertSinkOptions } from './cdc/options.js';
export type { ChangeOp } from './cdc/model.js';
export type { CompactionHook, CompactionStep, SnapshotSummary } from './cdc/compaction.js';
export { readUpsertTable } from './cdc/read.js';
export type { UpsertTableView } from './cdc/read.js';
export type { Row } from './snapshots/parquet-rows.js';
export { DimensionTable, openDimensionTable } from './snapshots/dimension-table.js';
export type { DimensionTableOptions, DimensionTableStats } from './snapshots/dimension-table.js';
export { dimensionChangelog } from './snapshots/changelog.js';
export type { DimensionChange, DimensionChangelogOptions } from './snapshots/changelog.js';
