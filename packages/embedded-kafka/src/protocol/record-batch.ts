/**
 * RecordBatch v2 (magic 2): header parsing, in-place patching of the fields not covered by the CRC,
 * and building/decoding of uncompressed batches. Batches are otherwise stored opaquely.
 *
 * Layout: baseOffset i64 @0, length i32 @8, partitionLeaderEpoch i32 @12, magic i8 @16,
 * crc u32 @17 (CRC-32C over bytes 21..end), attributes i16 @21, lastOffsetDelta i32 @23,
 * baseTimestamp i64 @27, maxTimestamp i64 @35, producerId i64 @43, producerEpoch i16 @51,
 * baseSequence i32 @53, recordCount i32 @57, records @61.
 */
import { crc32, crc32c } from './crc.js';
import { ProtocolError } from './protocol-error.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

export { crc32c } from './crc.js';

/** Size of the fixed part of a v2 batch. */
export const BATCH_HEADER_SIZE = 61;
/** baseOffset + length: the prefix that `length` does not count. */
const LOG_OVERHEAD = 12;
const TWO_32 = 4294967296;

export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_LOG_APPEND_TIME = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;

/** The fixed fields of a batch header, without its framing and CRC. */
export interface RecordBatchFields {
  baseOffset: number;
  partitionLeaderEpoch: number;
  attributes: number;
  /** 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  compression: number;
  isTransactional: boolean;
  isControl: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export interface RecordBatchHeader extends RecordBatchFields {
  offsetInBuffer: number;
  /** Whole batch including the 12-byte baseOffset/length prefix. */
  byteLength: number;
  magic: number;
  crc: number;
  crcValid: boolean;
}

/** One record of an uncompressed batch as built or decoded here. */
export interface BatchRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers?: Array<{ key: string; value: Buffer | null }>;
  timestampMs: number;
}

export interface DecodedRecord {
  offset: number;
  timestampMs: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: string; value: Buffer | null }>;
}

function readInt64(b: Buffer, at: number): number {
  return b.readInt32BE(at) * TWO_32 + b.readUInt32BE(at + 4);
}

function writeInt64(b: Buffer, at: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  b.writeInt32BE(hi | 0, at);
  b.writeUInt32BE((v - hi * TWO_32) >>> 0, at + 4);
}

/** Header of a magic 0/1 message (only the fields that exist there; the rest are -1/0). */
function legacyHeader(buf: Buffer, off: number, byteLength: number): RecordBatchHeader {
  const magic = buf.readInt8(off + 16);
  const attributes = buf.readInt8(off + 17);
  const crc = buf.readUInt32BE(off + 12);
  const timestamp = magic === 1 && byteLength >= 30 ? readInt64(buf, off + 18) : -1;
  return {
    offsetInBuffer: off,
    byteLength,
    baseOffset: readInt64(buf, off),
    partitionLeaderEpoch: -1,
    magic,
    crc,
    crcValid: crc32(buf, off + 16, off + byteLength) === crc,
    attributes,
    compression: attributes & ATTR_COMPRESSION_MASK,
    isTransactional: false,
    isControl: false,
    lastOffsetDelta: 0,
    baseTimestamp: timestamp,
    maxTimestamp: timestamp,
    producerId: -1,
    producerEpoch: -1,
    baseSequence: -1,
    recordCount: 1,
  };
}

/**
 * Split a records blob into batches, stopping at a trailing partial batch.
 * Magic is at byte 16 in every format, so legacy messages are recognised too.
 * @throws ProtocolError for a batch with magic != 2 (unless `allowLegacy`) or an impossible length.
 */
export function readBatchHeaders(records: Buffer, allowLegacy = false): RecordBatchHeader[] {
  const out: RecordBatchHeader[] = [];
  let off = 0;
  while (off + LOG_OVERHEAD <= records.length) {
    const length = records.readInt32BE(off + 8);
    const byteLength = LOG_OVERHEAD + length;
    if (length < 5) throw new ProtocolError(`corrupt batch length ${length} at ${off}`);
    if (off + byteLength > records.length) break; // partial trailing batch
    const magic = records.readInt8(off + 16);
    if (magic !== 2) {
      if (!allowLegacy) throw new ProtocolError(`unsupported record batch magic ${magic} at ${off}`);
      out.push(legacyHeader(records, off, byteLength));
      off += byteLength;
      continue;
    }
    if (byteLength < BATCH_HEADER_SIZE) throw new ProtocolError(`batch too short (${byteLength} bytes) at ${off}`);
    const crc = records.readUInt32BE(off + 17);
    out.push({
      offsetInBuffer: off,
      byteLength,
      magic,
      crc,
      crcValid: crc32c(records, off + 21, off + byteLength) === crc,
      ...readBatchFields(records, off),
    });
    off += byteLength;
  }
  return out;
}

/**
 * The fixed header fields of the v2 batch at `off`, read without any check (length, magic, CRC):
 * for batches validated before, such as the log's stored ones, where {@link readBatchHeaders}
 * would only spend time on a CRC.
 */
export function readBatchFields(batch: Buffer, off = 0): RecordBatchFields {
  const attributes = batchAttributes(batch, off);
  return {
    baseOffset: readInt64(batch, off),
    partitionLeaderEpoch: batch.readInt32BE(off + 12),
    attributes,
    compression: attributes & ATTR_COMPRESSION_MASK,
    isTransactional: (attributes & ATTR_TRANSACTIONAL) !== 0,
    isControl: (attributes & ATTR_CONTROL) !== 0,
    lastOffsetDelta: batch.readInt32BE(off + 23),
    baseTimestamp: readInt64(batch, off + 27),
    maxTimestamp: readInt64(batch, off + 35),
    producerId: readInt64(batch, off + 43),
    producerEpoch: batch.readInt16BE(off + 51),
    baseSequence: batch.readInt32BE(off + 53),
    recordCount: batch.readInt32BE(off + 57),
  };
}

/** The attributes of the v2 batch at `off` (for a hot path that needs nothing else). */
export function batchAttributes(batch: Buffer, off = 0): number {
  return batch.readInt16BE(off + 21);
}

/** Set the batch's baseOffset in place (not covered by the CRC). */
export function patchBaseOffset(batch: Buffer, baseOffset: number): void {
  writeInt64(batch, 0, baseOffset);
}

/** Set the batch's partitionLeaderEpoch in place (not covered by the CRC). */
export function patchPartitionLeaderEpoch(batch: Buffer, epoch: number): void {
  batch.writeInt32BE(epoch, 12);
}

interface BatchFields {
  baseOffset: number;
  partitionLeaderEpoch: number;
  attributes: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  records: BatchRecord[];
}

function writeNullableVarBytes(w: Writer, b: Buffer | null): void {
  if (b === null) {
    w.varint(-1);
    return;
  }
  w.varint(b.length);
  w.raw(b);
}

/** Encode one record body (everything after its length varint). */
function encodeRecord(w: Writer, rec: BatchRecord, offsetDelta: number, baseTimestamp: number): void {
  w.int8(0); // record attributes (unused)
  w.varlong(rec.timestampMs - baseTimestamp);
  w.varint(offsetDelta);
  writeNullableVarBytes(w, rec.key);
  writeNullableVarBytes(w, rec.value);
  const headers = rec.headers ?? [];
  w.varint(headers.length);
  for (const h of headers) {
    const k = Buffer.from(h.key, 'utf8');
    w.varint(k.length);
    w.raw(k);
    writeNullableVarBytes(w, h.value);
  }
}

function buildBatch(o: BatchFields): Buffer {
  const n = o.records.length;
  if (n === 0) throw new ProtocolError('a record batch needs at least one record');
  let baseTimestamp = o.records[0]!.timestampMs;
  let maxTimestamp = baseTimestamp;
  for (const r of o.records) {
    if (r.timestampMs < baseTimestamp) baseTimestamp = r.timestampMs;
    if (r.timestampMs > maxTimestamp) maxTimestamp = r.timestampMs;
  }
  const w = new Writer(BATCH_HEADER_SIZE + 64 * n);
  w.int64(o.baseOffset);
  w.int32(0); // length, patched below
  w.int32(o.partitionLeaderEpoch);
  w.int8(2);
  w.int32(0); // crc, patched below
  w.int16(o.attributes);
  w.int32(n - 1);
  w.int64(baseTimestamp);
  w.int64(maxTimestamp);
  w.int64(o.producerId);
  w.int16(o.producerEpoch);
  w.int32(o.baseSequence);
  w.int32(n);
  // Each record is length-prefixed by a varint, so encode it separately first.
  for (let i = 0; i < n; i++) {
    const rw = new Writer(64);
    encodeRecord(rw, o.records[i]!, i, baseTimestamp);
    const rec = rw.finish();
    w.varint(rec.length);
    w.raw(rec);
  }
  const out = w.finish();
  out.writeInt32BE(out.length - LOG_OVERHEAD, 8);
  out.writeUInt32BE(crc32c(out, 21, out.length), 17);
  return out;
}

/** Options of {@link buildRecordBatch}. */
export interface RecordBatchInput {
  baseOffset: number;
  records: BatchRecord[];
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  /** Default -1 (unknown), as producers send it. */
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
  /** Default -1 (unknown). */
  partitionLeaderEpoch?: number;
}

/** Build an uncompressed batch from records (tests, legacy up-conversion). */
export function buildRecordBatch(o: RecordBatchInput): Buffer {
  return buildBatch({
    baseOffset: o.baseOffset,
    partitionLeaderEpoch: o.partitionLeaderEpoch ?? -1,
    attributes: o.transactional ? ATTR_TRANSACTIONAL : 0,
    producerId: o.producerId ?? -1,
    producerEpoch: o.producerEpoch ?? -1,
    baseSequence: o.baseSequence ?? -1,
    records: o.records,
  });
}

/**
 * Build a transaction marker: a control batch (attributes 0x30) with one record whose key is
 * int16 version 0 + int16 type (0 abort, 1 commit) and value int16 version 0 + int32 coordinatorEpoch.
 */
export function buildControlBatch(o: ControlBatchInput): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(o.commit ? 1 : 0, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(o.coordinatorEpoch, 2);
  return buildBatch({
    baseOffset: o.baseOffset,
    partitionLeaderEpoch: o.partitionLeaderEpoch ?? -1,
    attributes: ATTR_TRANSACTIONAL | ATTR_CONTROL,
    producerId: o.producerId,
    producerEpoch: o.producerEpoch,
    baseSequence: -1,
    records: [{ key, value, timestampMs: o.timestampMs }],
  });
}

function readNullableVarBytes(r: Reader): Buffer | null {
  const len = r.varint();
  if (len < 0) return null;
  const start = r.pos;
  r.skip(len);
  return r.buf.subarray(start, start + len);
}

/**
 * Decode the records of one UNCOMPRESSED v2 batch (tests, legacy down-conversion).
 * Keys, values and header values are zero-copy slices of `batch`.
 */
export function decodeRecords(batch: Buffer): DecodedRecord[] {
  // Framing checks only: readBatchHeaders would also compute a CRC that decoding never looks at.
  const byteLength = batch.length >= LOG_OVERHEAD ? LOG_OVERHEAD + batch.readInt32BE(8) : -1;
  if (byteLength < BATCH_HEADER_SIZE || byteLength > batch.length) throw new ProtocolError('incomplete record batch');
  if (batch.readInt8(16) !== 2) throw new ProtocolError(`unsupported record batch magic ${batch.readInt8(16)}`);
  const h = readBatchFields(batch);
  if (h.compression !== 0) throw new ProtocolError(`cannot decode compressed batch (codec ${h.compression})`);
  const logAppendTime = (h.attributes & ATTR_LOG_APPEND_TIME) !== 0;
  const r = new Reader(batch, BATCH_HEADER_SIZE, byteLength);
  const out: DecodedRecord[] = [];
  for (let i = 0; i < h.recordCount; i++) {
    const len = r.varint();
    const end = r.pos + len;
    r.int8(); // record attributes
    const timestampDelta = r.varlong();
    const offsetDelta = r.varint();
    const key = readNullableVarBytes(r);
    const value = readNullableVarBytes(r);
    const headerCount = r.varint();
    const headers: Array<{ key: string; value: Buffer | null }> = [];
    for (let j = 0; j < headerCount; j++) {
      const k = readNullableVarBytes(r);
      if (k === null) throw new ProtocolError('null record header key');
      headers.push({ key: k.toString('utf8'), value: readNullableVarBytes(r) });
    }
    if (r.pos !== end) throw new ProtocolError(`record ${i}: length mismatch`);
    out.push({
      offset: h.baseOffset + offsetDelta,
      timestampMs: logAppendTime ? h.maxTimestamp : h.baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    });
  }
  return out;
}
