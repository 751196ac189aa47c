/**
 * Field positions of a RecordBatch v2 header, and the few reads/patches the log needs.
 * The log never decodes records: it only reads the fixed header and patches baseOffset.
 */
import type { AppendBatchInfo } from './types.js';

export const BASE_OFFSET = 0;
export const BATCH_LENGTH = 8;
export const PARTITION_LEADER_EPOCH = 12;
export const MAGIC = 16;
export const CRC = 17;
export const ATTRIBUTES = 21;
export const LAST_OFFSET_DELTA = 23;
export const BASE_TIMESTAMP = 27;
export const MAX_TIMESTAMP = 35;
export const PRODUCER_ID = 43;
export const PRODUCER_EPOCH = 51;
export const BASE_SEQUENCE = 53;
export const RECORD_COUNT = 57;
/** Size of the fixed header; records start here. */
export const RECORDS = 61;

export const ATTR_TIMESTAMP_LOG_APPEND = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;

/** Overwrite the batch's baseOffset in place (not covered by the CRC). */
export function patchBaseOffset(batch: Buffer, baseOffset: number): void {
  batch.writeBigInt64BE(BigInt(baseOffset), BASE_OFFSET);
}

/** The batch's baseOffset field. */
export function readBaseOffset(batch: Buffer): number {
  return Number(batch.readBigInt64BE(BASE_OFFSET));
}

/** Read the header fields of one stored batch into the shape `append` takes. */
export function readBatchInfo(batch: Buffer): AppendBatchInfo {
  const attributes = batch.readInt16BE(ATTRIBUTES);
  return {
    bytes: batch,
    producerId: Number(batch.readBigInt64BE(PRODUCER_ID)),
    producerEpoch: batch.readInt16BE(PRODUCER_EPOCH),
    baseSequence: batch.readInt32BE(BASE_SEQUENCE),
    recordCount: batch.readInt32BE(RECORD_COUNT),
    lastOffsetDelta: batch.readInt32BE(LAST_OFFSET_DELTA),
    maxTimestamp: Number(batch.readBigInt64BE(MAX_TIMESTAMP)),
    isTransactional: (attributes & ATTR_TRANSACTIONAL) !== 0,
    isControl: (attributes & ATTR_CONTROL) !== 0,
  };
}
