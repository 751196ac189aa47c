/**
 * @weir/formats — protobuf schema registry with hot reload, record envelopes with compression,
 * batch decoding with dead letters, protobuf -> Arrow mapping and Parquet writers.
 */

export { SchemaRegistry } from './registry/registry.js';
export type { ReloadResult, SchemaRegistryOptions, WatchOptions } from './registry/registry.js';
export { SchemaSnapshot } from './registry/snapshot.js';
export { broadcastSchemas } from './registry/broadcast-schemas.js';

export { COMPRESSIONS } from './envelope/codecs.js';
export type { Compression } from './envelope/codecs.js';
export { ENVELOPE_PROTO } from './envelope/envelope-schema.js';
export { encodeEnvelope, encodeRecord } from './envelope/envelope.js';
export type { EncodeRecordOptions, EnvelopeFields, PayloadFormat } from './envelope/envelope.js';
export { EnvelopeDecoder, EnvelopeDecodeError } from './envelope/decoder.js';
export type { DecodedBatch, DecodedRecord, DecodeDeadLetter, DecodeFailureReason, DecoderStats, EnvelopeInput, SnapshotSource } from './envelope/decoder.js';
export { parseEnvelope } from './envelope/parse-step.js';
export type { ParseInput } from './envelope/parse-step.js';

export { ArrowBatchBuilder, arrowSchemaFor, unifySchemas } from './arrow/batch-builder.js';
export type { ArrowMappingOptions } from './arrow/field-plan.js';

export { DEFAULT_PARQUET_ENGINE, PARQUET_ENGINES, selectParquetEngine } from './parquet/engines.js';
export { toParquet, writeParquetFile } from './parquet/write.js';
export type { ArrowInput, ParquetOptions } from './parquet/write.js';
export { parquetOptionsShape } from './options/schemas.js';
export type { ParquetCompression, ParquetEngine, ParquetEngineName, ParquetWriteOptions } from './parquet/types.js';
export * from './etl/index.js';
