import { gunzipSync } from 'node:zlib';
import {
  BATCH_HEADER_SIZE,
  ErrorCodes,
  buildLegacyMessageSet,
  buildRecordBatch,
  decodeRecords,
  readBatchHeaders,
  readLegacyMessageSet,
  type DecodedRecord,
} from '../protocol/index.js';
import { readBatchInfo } from '../log/batch-info.js';
import type { BatchCheck } from './handlers/produce-validation.js';

const GZIP = 1;

/**
 * Produce v0-2: up-converts a legacy message set (magic 0/1, gzip wrappers unpacked) into one
 * uncompressed RecordBatch v2, the only format the log stores.
 */
export function legacyToBatch(records: Buffer, nowMs: number, maxMessageBytes: number): BatchCheck {
  let messages;
  try {
    messages = readLegacyMessageSet(records);
  } catch (err) {
    return { ok: false, errorCode: ErrorCodes.CORRUPT_MESSAGE, message: (err as Error).message };
  }
  if (messages.length === 0) return { ok: false, errorCode: ErrorCodes.INVALID_RECORD, message: 'empty message set' };
  if (records.length > maxMessageBytes) return { ok: false, errorCode: ErrorCodes.MESSAGE_TOO_LARGE, message: `message set of ${records.length} bytes exceeds max.message.bytes` };
  const bytes = buildRecordBatch({
    baseOffset: 0,
    // buildRecordBatch copies keys and values into the new batch: no copies needed here.
    records: messages.map((m) => ({ key: m.key, value: m.value, timestampMs: m.timestamp >= 0 ? m.timestamp : nowMs })),
  });
  return { ok: true, batch: readBatchInfo(bytes) };
}

/**
 * Fetch v0-3: down-converts stored v2 batches to a legacy message set (magic 0 for v0-1, magic 1
 * for v2-3). Control batches are dropped; uncompressed and gzip batches are converted, batches in
 * other codecs are skipped because old clients could not read them anyway.
 */
export function batchesToLegacy(records: Buffer, apiVersion: number): Buffer {
  const magic = apiVersion >= 2 ? 1 : 0;
  const out: Array<{ offset: number; key: Buffer | null; value: Buffer | null; timestamp: number }> = [];
  for (const h of readBatchHeaders(records)) {
    if (h.isControl) continue;
    const batch = records.subarray(h.offsetInBuffer, h.offsetInBuffer + h.byteLength);
    let decoded: DecodedRecord[];
    if (h.compression === 0) decoded = decodeRecords(batch);
    else if (h.compression === GZIP) decoded = decodeRecords(inflateBatch(batch));
    else continue;
    for (const r of decoded) out.push({ offset: r.offset, key: r.key, value: r.value, timestamp: r.timestampMs });
  }
  return out.length > 0 ? buildLegacyMessageSet(out, magic) : Buffer.alloc(0);
}

/** Same batch with its gzip records section inflated and the compression bits cleared. */
function inflateBatch(batch: Buffer): Buffer {
  const inflated = gunzipSync(batch.subarray(BATCH_HEADER_SIZE));
  const out = Buffer.concat([batch.subarray(0, BATCH_HEADER_SIZE), inflated]);
  out.writeInt32BE(out.length - 12, 8);
  out.writeInt16BE(out.readInt16BE(21) & ~0x07, 21);
  return out;
}
