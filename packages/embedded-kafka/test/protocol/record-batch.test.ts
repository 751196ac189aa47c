import { describe, expect, it } from 'vitest';
import {
  buildControlBatch,
  buildRecordBatch,
  crc32,
  crc32c,
  decodeRecords,
  patchBaseOffset,
  patchPartitionLeaderEpoch,
  ProtocolError,
  readBatchHeaders,
} from '../../src/protocol/index.js';

/** Bit-at-a-time reference CRC, to check the slicing-by-8 tables on odd lengths and offsets. */
function referenceCrc(poly: number, buf: Buffer): number {
  let crc = 0xffffffff;
  for (const b of buf) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ poly : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32c / crc32', () => {
  it('matches the standard check values', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32c(Buffer.alloc(32))).toBe(0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43); // RFC 3720 B.4: 32 bytes of 0xff
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('agrees with a bitwise reference on every length and sub-range', () => {
    const data = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff));
    for (let len = 0; len < 40; len++) {
      for (const start of [0, 1, 3, 7]) {
        const slice = data.subarray(start, start + len);
        expect(crc32c(data, start, start + len)).toBe(referenceCrc(0x82f63b78, slice));
        expect(crc32(data, start, start + len)).toBe(referenceCrc(0xedb88320, slice));
      }
    }
    expect(crc32c(data)).toBe(referenceCrc(0x82f63b78, data));
  });
});

describe('record batches', () => {
  const records = [
    { key: Buffer.from('k0'), value: Buffer.from('v0'), timestampMs: 1700000000100, headers: [{ key: 'trace', value: Buffer.from('t') }, { key: 'empty', value: null }] },
    { key: null, value: null, timestampMs: 1700000000050 },
    { key: Buffer.alloc(0), value: Buffer.alloc(2000, 7), timestampMs: 1700000000200 },
  ];

  it('build/read round trip keeps header fields and record contents', () => {
    const batch = buildRecordBatch({ baseOffset: 1000, records, producerId: 2 ** 40, producerEpoch: 5, baseSequence: 9, transactional: true });
    const [h] = readBatchHeaders(batch);
    expect(h).toEqual({
      offsetInBuffer: 0,
      byteLength: batch.length,
      baseOffset: 1000,
      partitionLeaderEpoch: -1,
      magic: 2,
      crc: batch.readUInt32BE(17),
      crcValid: true,
      attributes: 0x10,
      compression: 0,
      isTransactional: true,
      isControl: false,
      lastOffsetDelta: 2,
      baseTimestamp: 1700000000050,
      maxTimestamp: 1700000000200,
      producerId: 2 ** 40,
      producerEpoch: 5,
      baseSequence: 9,
      recordCount: 3,
    });
    expect(decodeRecords(batch)).toEqual([
      { offset: 1000, timestampMs: 1700000000100, key: Buffer.from('k0'), value: Buffer.from('v0'), headers: [{ key: 'trace', value: Buffer.from('t') }, { key: 'empty', value: null }] },
      { offset: 1001, timestampMs: 1700000000050, key: null, value: null, headers: [] },
      { offset: 1002, timestampMs: 1700000000200, key: Buffer.alloc(0), value: Buffer.alloc(2000, 7), headers: [] },
    ]);
  });

  it('defaults to a non-idempotent producer and detects corruption through the CRC', () => {
    const batch = buildRecordBatch({ baseOffset: 0, records: [records[0]!] });
    expect(readBatchHeaders(batch)[0]).toMatchObject({ producerId: -1, producerEpoch: -1, baseSequence: -1, isTransactional: false, crcValid: true });
    batch[batch.length - 1]! ^= 1;
    expect(readBatchHeaders(batch)[0]!.crcValid).toBe(false);
  });

  it('patches base offset and leader epoch in place without touching the CRC', () => {
    const batch = buildRecordBatch({ baseOffset: 0, records });
    patchBaseOffset(batch, 2 ** 50 + 3);
    patchPartitionLeaderEpoch(batch, 12);
    const [h] = readBatchHeaders(batch);
    expect(h).toMatchObject({ baseOffset: 2 ** 50 + 3, partitionLeaderEpoch: 12, crcValid: true });
    expect(decodeRecords(batch).map((r) => r.offset)).toEqual([2 ** 50 + 3, 2 ** 50 + 4, 2 ** 50 + 5]);
  });

  it('splits concatenated batches and stops at a trailing partial batch', () => {
    const a = buildRecordBatch({ baseOffset: 0, records: records.slice(0, 2) });
    const b = buildRecordBatch({ baseOffset: 2, records: records.slice(2) });
    const c = buildRecordBatch({ baseOffset: 3, records: records.slice(0, 1) });
    const blob = Buffer.concat([a, b, c.subarray(0, 40)]);
    const hs = readBatchHeaders(blob);
    expect(hs.map((h) => [h.offsetInBuffer, h.byteLength, h.baseOffset, h.recordCount])).toEqual([
      [0, a.length, 0, 2],
      [a.length, b.length, 2, 1],
    ]);
    expect(readBatchHeaders(blob.subarray(0, 11))).toEqual([]);
  });

  it('rejects legacy magic unless allowed, and impossible lengths', () => {
    const legacy = Buffer.alloc(40);
    legacy.writeInt32BE(28, 8);
    legacy.writeInt8(1, 16);
    expect(() => readBatchHeaders(legacy)).toThrow(ProtocolError);
    expect(readBatchHeaders(legacy, true)[0]).toMatchObject({ magic: 1, byteLength: 40 });
    const bad = Buffer.alloc(20);
    bad.writeInt32BE(2, 8);
    expect(() => readBatchHeaders(bad)).toThrow(ProtocolError);
  });

  it('builds transaction markers with the control layout', () => {
    for (const commit of [true, false]) {
      const batch = buildControlBatch({ baseOffset: 77, producerId: 4000, producerEpoch: 2, commit, coordinatorEpoch: 9, timestampMs: 1700000000000 });
      const [h] = readBatchHeaders(batch);
      expect(h).toMatchObject({
        baseOffset: 77,
        attributes: 0x30,
        isControl: true,
        isTransactional: true,
        producerId: 4000,
        producerEpoch: 2,
        baseSequence: -1,
        recordCount: 1,
        lastOffsetDelta: 0,
        crcValid: true,
        baseTimestamp: 1700000000000,
        maxTimestamp: 1700000000000,
      });
      const [r] = decodeRecords(batch);
      // key: int16 version 0, int16 type (1 commit / 0 abort); value: int16 version 0, int32 coordinator epoch
      expect(r!.key).toEqual(Buffer.from([0, 0, 0, commit ? 1 : 0]));
      expect(r!.value).toEqual(Buffer.from([0, 0, 0, 0, 0, 9]));
      expect(r!.offset).toBe(77);
    }
  });

  it('refuses to decode compressed, truncated or non-v2 batches and to build empty ones', () => {
    const batch = buildRecordBatch({ baseOffset: 0, records: [records[0]!] });
    batch.writeInt16BE(1, 21); // claim gzip
    expect(() => decodeRecords(batch)).toThrow(ProtocolError);
    expect(() => buildRecordBatch({ baseOffset: 0, records: [] })).toThrow(ProtocolError);
    const whole = buildRecordBatch({ baseOffset: 0, records: [records[0]!] });
    expect(() => decodeRecords(whole.subarray(0, whole.length - 1))).toThrow(/incomplete/);
    expect(() => decodeRecords(whole.subarray(0, 8))).toThrow(/incomplete/);
    const magic1 = Buffer.from(whole);
    magic1[16] = 1;
    expect(() => decodeRecords(magic1)).toThrow(/magic 1/);
  });
});
