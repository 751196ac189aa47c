/**
 * Record-level timestamp lookup inside one stored batch (ListOffsets by timestamp). Only
 * uncompressed CreateTime batches are walked; for compressed or LogAppendTime batches the
 * answer has batch granularity (the batch's first offset and max timestamp).
 */
import { ATTRIBUTES, ATTR_TIMESTAMP_LOG_APPEND, BASE_TIMESTAMP, MAX_TIMESTAMP, RECORD_COUNT, RECORDS } from './batch-layout.js';
import { readVarint, readVarlong } from './varint.js';

/** First record at or after `minOffset` with timestamp >= `timestampMs`, or null. */
export function findRecordByTimestamp(
  batch: Buffer,
  baseOffset: number,
  timestampMs: number,
  minOffset: number,
): { offset: number; timestamp: number } | null {
  const attributes = batch.readInt16BE(ATTRIBUTES);
  const maxTimestamp = Number(batch.readBigInt64BE(MAX_TIMESTAMP));
  if ((attributes & 0x07) !== 0 || (attributes & ATTR_TIMESTAMP_LOG_APPEND) !== 0) {
    return maxTimestamp >= timestampMs ? { offset: Math.max(baseOffset, minOffset), timestamp: maxTimestamp } : null;
  }
  const baseTimestamp = Number(batch.readBigInt64BE(BASE_TIMESTAMP));
  const count = batch.readInt32BE(RECORD_COUNT);
  let pos = RECORDS;
  for (let i = 0; i < count && pos < batch.length; i++) {
    const [length, bodyStart] = readVarint(batch, pos);
    const [timestampDelta, afterTs] = readVarlong(batch, bodyStart + 1);
    const [offsetDelta] = readVarint(batch, afterTs);
    const offset = baseOffset + offsetDelta;
    const timestamp = baseTimestamp + timestampDelta;
    if (offset >= minOffset && timestamp >= timestampMs) return { offset, timestamp };
    pos = bodyStart + length;
  }
  return null;
}
