/** The partition log module, for the broker's handlers inside this package. */
export { PartitionLog, type PartitionLogOptions } from './partition-log.js';
export { PartitionLogError } from './error-codes.js';
export { readBatchInfo } from './batch-info.js';
export {
  patchBaseOffset,
  buildControlBatch,
  buildRecordBatch,
  crc32c,
  type RecordBatchInput,
  type BatchRecord as RecordInput,
  type ControlBatchInput,
} from '../protocol/index.js';
export type { ProducerEntry, RecentBatch } from './producer-state.js';
export type { AbortedRange } from './txn-state.js';
export type * from './types.js';
