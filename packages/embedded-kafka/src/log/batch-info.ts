/** The header fields `PartitionLog.append` takes, read from a batch the log stores opaquely. */
import { readBatchFields, type RecordBatchFields } from '../protocol/index.js';
import type { AppendBatchInfo } from './types.js';

/** `bytes` with its header fields as `append` takes them; pass `fields` when already read. */
export function readBatchInfo(bytes: Buffer, fields: RecordBatchFields = readBatchFields(bytes)): AppendBatchInfo {
  return {
    bytes,
    producerId: fields.producerId,
    producerEpoch: fields.producerEpoch,
    baseSequence: fields.baseSequence,
    recordCount: fields.recordCount,
    lastOffsetDelta: fields.lastOffsetDelta,
    maxTimestamp: fields.maxTimestamp,
    isTransactional: fields.isTransactional,
    isControl: fields.isControl,
  };
}
