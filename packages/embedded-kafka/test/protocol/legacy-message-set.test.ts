import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildLegacyMessageSet, crc32, ProtocolError, readLegacyMessageSet } from '../../src/protocol/index.js';

describe('legacy message sets', () => {
  it('round-trips magic 0 and magic 1 sets', () => {
    const msgs = [
      { offset: 10, key: Buffer.from('a'), value: Buffer.from('alpha'), timestamp: 1500000000000 },
      { offset: 11, key: null, value: null, timestamp: 1500000000001 },
    ];
    expect(readLegacyMessageSet(buildLegacyMessageSet(msgs, 1))).toEqual(msgs.map((m) => ({ ...m, magic: 1, attributes: 0 })));
    expect(readLegacyMessageSet(buildLegacyMessageSet(msgs, 0))).toEqual(msgs.map((m) => ({ ...m, magic: 0, attributes: 0, timestamp: -1 })));
  });

  it('writes the documented magic 0 layout with a CRC-32 over magic..end', () => {
    const set = buildLegacyMessageSet([{ offset: 3, key: null, value: Buffer.from('hi') }], 0);
    // offset | size 16 | crc | magic 0 | attributes 0 | key -1 | value len 2 "hi"
    expect(set.subarray(0, 12)).toEqual(Buffer.from('0000000000000003' + '00000010', 'hex'));
    expect(set.subarray(16)).toEqual(Buffer.from('00' + '00' + 'ffffffff' + '00000002' + '6869', 'hex'));
    expect(set.readUInt32BE(12)).toBe(crc32(set, 16));
  });

  it('decompresses a gzip wrapper (magic 1: relative inner offsets, wrapper holds the last absolute offset)', () => {
    const inner = buildLegacyMessageSet(
      [0, 1, 2].map((i) => ({ offset: i, key: null, value: Buffer.from(`m${i}`), timestamp: 1000 + i })),
      1,
    );
    const wrapperSet = buildLegacyMessageSet([{ offset: 9, key: null, value: gzipSync(inner), timestamp: 1002 }], 1);
    // mark the wrapper as gzip (attributes byte at 17) and fix its CRC
    wrapperSet[17] = 1;
    wrapperSet.writeUInt32BE(crc32(wrapperSet, 16), 12);
    const out = readLegacyMessageSet(wrapperSet);
    expect(out.map((m) => [m.offset, m.timestamp, m.value!.toString()])).toEqual([
      [7, 1000, 'm0'],
      [8, 1001, 'm1'],
      [9, 1002, 'm2'],
    ]);
  });

  it('rejects CRC mismatches and non-gzip compression, ignores a trailing partial message', () => {
    const set = buildLegacyMessageSet([{ offset: 0, key: null, value: Buffer.from('x') }], 1);
    const partial = Buffer.concat([set, set.subarray(0, 20)]);
    expect(readLegacyMessageSet(partial)).toHaveLength(1);
    const corrupt = Buffer.from(set);
    corrupt[corrupt.length - 1] ^= 0xff;
    expect(() => readLegacyMessageSet(corrupt)).toThrow(/CRC/);
    const snappy = Buffer.from(set);
    snappy[17] = 2;
    snappy.writeUInt32BE(crc32(snappy, 16), 12);
    expect(() => readLegacyMessageSet(snappy)).toThrow(ProtocolError);
    expect(() => readLegacyMessageSet(snappy)).toThrow('unsupported legacy compression');
  });
});
