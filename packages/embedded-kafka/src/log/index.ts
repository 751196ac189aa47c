/** The partition log module, for the broker's handlers inside this package. */
export { PartitionLog, type PartitionLogOptions } from './partition-log.js';
export { PartitionLogError } from './error-codes.js';
export { readBatchInfo, patchBaseOffset } from './batch-layout.js';
export { buildControlBatch, buildRecordBatch, type RecordBatchInput, type RecordInput, type ControlBatchInput } from './batch-builder.js';
export { crc32c } from './crc32c.js';
export type { ProducerEntry, RecentBatch } from './producer-state.js';
export type { AbortedRange } from './txn-state.js';
export type * from './types.js';
