/**
 * Builds uncompressed RecordBatch v2 bytes: transaction markers (control batches) for the log,
 * and ordinary batches for tests and tools. Private to the log until the protocol codec's
 * `record-batch.ts` offers the same.
 */
import { crc32c } from './crc32c.js';
import * as L from './batch-layout.js';
import { varintSize, varlongSize, writeVarint, writeVarlong } from './varint.js';

/** One record to put in a batch. */
export interface RecordInput {
  key: Buffer | null;
  value: Buffer | null;
  headers?: Array<{ key: string; value: Buffer | null }>;
  timestampMs: number;
}

/** Options of {@link buildRecordBatch}. */
export interface RecordBatchInput {
  baseOffset: number;
  records: RecordInput[];
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  partitionLeaderEpoch?: number;
}

/** Options of {@link buildControlBatch}. */
export interface ControlBatchInput {
  baseOffset: number;
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
  timestampMs: number;
}

interface EncodedRecord {
  bodySize: number;
  input: RecordInput;
  timestampDelta: number;
  headerKeys: Buffer[];
}

/** Encode an uncompressed RecordBatch v2 with a valid CRC-32C. */
export function buildRecordBatch(input: RecordBatchInput): Buffer {
  if (input.records.length === 0) throw new Error('a record batch needs at least one record');
  const baseTimestamp = input.records[0]!.timestampMs;
  let maxTimestamp = baseTimestamp;
  const encoded: EncodedRecord[] = input.records.map((r, i) => {
    if (r.timestampMs > maxTimestamp) maxTimestamp = r.timestampMs;
    const headerKeys = (r.headers ?? []).map((h) => Buffer.from(h.key, 'utf8'));
    const timestampDelta = r.timestampMs - baseTimestamp;
    let size = 1 + varlongSize(timestampDelta) + varintSize(i);
    size += bytesFieldSize(r.key) + bytesFieldSize(r.value) + varintSize(headerKeys.length);
    (r.headers ?? []).forEach((h, j) => {
      size += bytesFieldSize(headerKeys[j]!) + bytesFieldSize(h.value);
    });
    return { bodySize: size, input: r, timestampDelta, headerKeys };
  });
  const total = L.RECORDS + encoded.reduce((n, e) => n + varintSize(e.bodySize) + e.bodySize, 0);
  const buf = Buffer.alloc(total);
  const attributes = input.transactional ? L.ATTR_TRANSACTIONAL : 0;
  writeHeader(buf, {
    baseOffset: input.baseOffset,
    partitionLeaderEpoch: input.partitionLeaderEpoch ?? 0,
    attributes,
    lastOffsetDelta: encoded.length - 1,
    baseTimestamp,
    maxTimestamp,
    producerId: input.producerId ?? -1,
    producerEpoch: input.producerEpoch ?? -1,
    baseSequence: input.baseSequence ?? -1,
    recordCount: encoded.length,
  });
  let pos = L.RECORDS;
  encoded.forEach((e, i) => {
    pos = writeVarint(buf, e.bodySize, pos);
    buf[pos++] = 0; // record attributes (unused)
    pos = writeVarlong(buf, e.timestampDelta, pos);
    pos = writeVarint(buf, i, pos);
    pos = writeBytesField(buf, e.input.key, pos);
    pos = writeBytesField(buf, e.input.value, pos);
    pos = writeVarint(buf, e.headerKeys.length, pos);
    (e.input.headers ?? []).forEach((h, j) => {
      pos = writeBytesField(buf, e.headerKeys[j]!, pos);
      pos = writeBytesField(buf, h.value, pos);
    });
  });
  finishCrc(buf);
  return buf;
}

/**
 * Encode a transaction marker: a control batch (transactional + control attributes) holding one
 * record whose key is (version 0, type 0 abort / 1 commit) and value (version 0, coordinator epoch).
 */
export function buildControlBatch(input: ControlBatchInput): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(input.commit ? 1 : 0, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(input.coordinatorEpoch, 2);
  const batch = buildRecordBatch({
    baseOffset: input.baseOffset,
    records: [{ key, value, timestampMs: input.timestampMs }],
    producerId: input.producerId,
    producerEpoch: input.producerEpoch,
    baseSequence: -1,
  });
  batch.writeInt16BE(L.ATTR_TRANSACTIONAL | L.ATTR_CONTROL, L.ATTRIBUTES);
  finishCrc(batch);
  return batch;
}

interface HeaderFields {
  baseOffset: number;
  partitionLeaderEpoch: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

function writeHeader(buf: Buffer, h: HeaderFields): void {
  buf.writeBigInt64BE(BigInt(h.baseOffset), L.BASE_OFFSET);
  buf.writeInt32BE(buf.length - L.PARTITION_LEADER_EPOCH, L.BATCH_LENGTH);
  buf.writeInt32BE(h.partitionLeaderEpoch, L.PARTITION_LEADER_EPOCH);
  buf.writeInt8(2, L.MAGIC);
  buf.writeInt16BE(h.attributes, L.ATTRIBUTES);
  buf.writeInt32BE(h.lastOffsetDelta, L.LAST_OFFSET_DELTA);
  buf.writeBigInt64BE(BigInt(h.baseTimestamp), L.BASE_TIMESTAMP);
  buf.writeBigInt64BE(BigInt(h.maxTimestamp), L.MAX_TIMESTAMP);
  buf.writeBigInt64BE(BigInt(h.producerId), L.PRODUCER_ID);
  buf.writeInt16BE(h.producerEpoch, L.PRODUCER_EPOCH);
  buf.writeInt32BE(h.baseSequence, L.BASE_SEQUENCE);
  buf.writeInt32BE(h.recordCount, L.RECORD_COUNT);
}

function finishCrc(buf: Buffer): void {
  buf.writeUInt32BE(crc32c(buf, L.ATTRIBUTES), L.CRC);
}

function bytesFieldSize(b: Buffer | null): number {
  return b === null ? varintSize(-1) : varintSize(b.length) + b.length;
}

function writeBytesField(buf: Buffer, b: Buffer | null, pos: number): number {
  if (b === null) return writeVarint(buf, -1, pos);
  pos = writeVarint(buf, b.length, pos);
  b.copy(buf, pos);
  return pos + b.length;
}
