/**
 * Record-level timestamp lookup inside one stored batch (ListOffsets by timestamp). Only
 * uncompressed CreateTime batches are walked; for compressed or LogAppendTime batches the
 * answer has batch granularity (the batch's first offset and max timestamp).
 */
import { ATTR_LOG_APPEND_TIME, BATCH_HEADER_SIZE, readBatchFields } from '../protocol/index.js';
import { Reader } from '../protocol/reader.js';

/** First record at or after `minOffset` with timestamp >= `timestampMs`, or null. */
export function findRecordByTimestamp(
  batch: Buffer,
  baseOffset: number,
  timestampMs: number,
  minOffset: number,
): { offset: number; timestamp: number } | null {
  const h = readBatchFields(batch);
  if (h.compression !== 0 || (h.attributes & ATTR_LOG_APPEND_TIME) !== 0) {
    return h.maxTimestamp >= timestampMs ? { offset: Math.max(baseOffset, minOffset), timestamp: h.maxTimestamp } : null;
  }
  const r = new Reader(batch, BATCH_HEADER_SIZE);
  for (let i = 0; i < h.recordCount && r.pos < batch.length; i++) {
    const length = r.varint();
    const bodyStart = r.pos;
    r.int8(); // record attributes
    const timestampDelta = r.varlong();
    const offset = baseOffset + r.varint();
    const timestamp = h.baseTimestamp + timestampDelta;
    if (offset >= minOffset && timestamp >= timestampMs) return { offset, timestamp };
    r.pos = bodyStart + length;
  }
  return null;
}
