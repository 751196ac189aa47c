import { describe, expect, it } from 'vitest';
import { buildControlBatch, buildRecordBatch, crc32c, readBatchInfo } from '../../src/log/index.js';
import { Reader } from '../../src/protocol/reader.js';

describe('crc32c', () => {
  it('matches the standard check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('agrees between the sliced and the piecewise computation', () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 37) & 0xff));
    const whole = crc32c(data);
    expect(crc32c(data, 13, 1000, crc32c(data, 0, 13))).toBe(whole);
    expect(crc32c(data, 0, 999)).not.toBe(whole);
  });
});

describe('buildControlBatch', () => {
  it('writes a valid transaction marker', () => {
    const b = buildControlBatch({ baseOffset: 42, producerId: 7, producerEpoch: 3, commit: false, coordinatorEpoch: 9, timestampMs: 5000 });
    expect(b.readInt32BE(8)).toBe(b.length - 12);
    expect(b.readInt8(16)).toBe(2);
    expect(b.readUInt32BE(17)).toBe(crc32c(b, 21));
    expect(b.readInt16BE(21)).toBe(0x30);
    const info = readBatchInfo(b);
    expect(info).toMatchObject({ producerId: 7, producerEpoch: 3, baseSequence: -1, recordCount: 1, lastOffsetDelta: 0, maxTimestamp: 5000, isControl: true, isTransactional: true });
    expect(Number(b.readBigInt64BE(0))).toBe(42);
    // Record: length, attributes, timestampDelta, offsetDelta, key (version, type), value (version, coordinator epoch).
    const r = new Reader(b, 61);
    const len = r.varint();
    expect(r.pos + len).toBe(b.length);
    r.int8();
    r.varlong();
    r.varint();
    expect(r.varint()).toBe(4);
    const keyPos = r.pos;
    expect([b.readInt16BE(keyPos), b.readInt16BE(keyPos + 2)]).toEqual([0, 0]);
    r.skip(4);
    expect(r.varint()).toBe(6);
    const valuePos = r.pos;
    expect([b.readInt16BE(valuePos), b.readInt32BE(valuePos + 2)]).toEqual([0, 9]);
    expect(b[valuePos + 6]).toBe(0); // no headers
    const commit = buildControlBatch({ baseOffset: 0, producerId: 7, producerEpoch: 3, commit: true, coordinatorEpoch: 9, timestampMs: 5000 });
    expect(commit.readInt16BE(keyPos + 2)).toBe(1);
    expect(commit.readUInt32BE(17)).toBe(crc32c(commit, 21));
  });
});

describe('buildRecordBatch', () => {
  it('encodes the header fields and a valid CRC', () => {
    const b = buildRecordBatch({
      baseOffset: 0,
      records: [
        { key: null, value: Buffer.from('a'), timestampMs: 100 },
        { key: Buffer.from('k'), value: null, headers: [{ key: 'h', value: Buffer.from('x') }], timestampMs: 250 },
      ],
      producerId: 5,
      producerEpoch: 1,
      baseSequence: 10,
      transactional: true,
    });
    expect(b.readUInt32BE(17)).toBe(crc32c(b, 21));
    expect(readBatchInfo(b)).toMatchObject({ recordCount: 2, lastOffsetDelta: 1, maxTimestamp: 250, baseSequence: 10, isTransactional: true, isControl: false });
  });

  it('round-trips varlongs beyond 32 bits', () => {
    const b = buildRecordBatch({ baseOffset: 0, records: [{ key: null, value: null, timestampMs: 0 }, { key: null, value: null, timestampMs: 2 ** 40 + 3 }] });
    const r = new Reader(b, 61);
    r.skip(r.varint());
    r.varint();
    r.int8();
    expect(r.varlong()).toBe(2 ** 40 + 3);
  });
});
