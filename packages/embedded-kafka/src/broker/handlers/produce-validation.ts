import { readBatchInfo } from '../../log/batch-info.js';
import type { AppendBatchInfo } from '../../log/types.js';
import { ErrorCodes, readBatchHeaders } from '../../protocol/index.js';

/** A validated producer batch ready for PartitionLog.append, or the error to answer with. */
export type BatchCheck = { ok: true; batch: AppendBatchInfo } | { ok: false; errorCode: number; message: string };

/**
 * Validates the records of one partition in a Produce v3+ request: exactly one magic-2 batch, whole
 * and CRC-valid, lastOffsetDelta == recordCount - 1, a compression codec the version allows, not a
 * control batch, not larger than max.message.bytes.
 */
export function checkProducerBatch(records: Buffer, apiVersion: number, maxMessageBytes: number): BatchCheck {
  let headers;
  try {
    headers = readBatchHeaders(records);
  } catch (err) {
    return { ok: false, errorCode: ErrorCodes.CORRUPT_MESSAGE, message: (err as Error).message };
  }
  if (headers.length !== 1) return { ok: false, errorCode: ErrorCodes.INVALID_RECORD, message: `expected exactly one record batch, got ${headers.length}` };
  const h = headers[0]!;
  if (h.magic !== 2) return { ok: false, errorCode: ErrorCodes.UNSUPPORTED_FOR_MESSAGE_FORMAT, message: `magic ${h.magic} needs Produce v0-2` };
  if (h.offsetInBuffer !== 0 || h.byteLength !== records.length) return { ok: false, errorCode: ErrorCodes.CORRUPT_MESSAGE, message: 'trailing bytes after the record batch' };
  if (!h.crcValid) return { ok: false, errorCode: ErrorCodes.CORRUPT_MESSAGE, message: 'record batch CRC mismatch' };
  if (h.recordCount <= 0 || h.lastOffsetDelta !== h.recordCount - 1) return { ok: false, errorCode: ErrorCodes.INVALID_RECORD, message: 'lastOffsetDelta must equal recordCount - 1' };
  if (h.compression > 4) return { ok: false, errorCode: ErrorCodes.CORRUPT_MESSAGE, message: `unknown compression ${h.compression}` };
  if (h.compression === 4 && apiVersion < 7) return { ok: false, errorCode: ErrorCodes.UNSUPPORTED_COMPRESSION_TYPE, message: 'zstd needs Produce v7+' };
  if (h.isControl) return { ok: false, errorCode: ErrorCodes.INVALID_RECORD, message: 'clients may not send control batches' };
  if (records.length > maxMessageBytes) return { ok: false, errorCode: ErrorCodes.MESSAGE_TOO_LARGE, message: `batch of ${records.length} bytes exceeds max.message.bytes ${maxMessageBytes}` };
  // The bytes stay a view of the request frame, no copy: the rest of that frame is mostly other
  // partitions' batches, which the logs keep too.
  return { ok: true, batch: readBatchInfo(records, h) };
}
