/**
 * Kafka wire protocol for the embedded broker: request/response codecs generated from the official
 * message schemas (see scripts/generate-protocol.ts), error codes, and record batch helpers.
 *
 * Message bodies are plain objects whose property names are the schema field names with a lower-case
 * first letter; int64 values are JS numbers; bytes/records/uuid are Buffers (decoded zero-copy).
 */
export { ApiKeys } from './generated/api-keys.js';
export { apiSchemas, type ApiSchemaInfo } from './api-schemas.js';
export {
  decodeRequestHeader,
  decodeRequest,
  encodeResponse,
  encodeRequest,
  decodeResponse,
  type RequestHeader,
} from './frames.js';
export { ProtocolError } from './protocol-error.js';
export { ErrorCodes, type ErrorCode } from './error-codes.js';
export {
  crc32c,
  readBatchHeaders,
  readBatchFields,
  batchAttributes,
  patchBaseOffset,
  patchPartitionLeaderEpoch,
  buildControlBatch,
  buildRecordBatch,
  decodeRecords,
  BATCH_HEADER_SIZE,
  ATTR_COMPRESSION_MASK,
  ATTR_LOG_APPEND_TIME,
  ATTR_TRANSACTIONAL,
  ATTR_CONTROL,
  type RecordBatchHeader,
  type RecordBatchFields,
  type RecordBatchInput,
  type ControlBatchInput,
  type BatchRecord,
  type DecodedRecord,
} from './record-batch.js';
export { crc32 } from './crc.js';
export { readLegacyMessageSet, buildLegacyMessageSet, type LegacyMessage } from './legacy-message-set.js';
export type * from './generated/message-types.js';
