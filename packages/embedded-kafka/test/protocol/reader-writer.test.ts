import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/protocol/index.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';

function roundTrip(write: (w: Writer) => void): Reader {
  const w = new Writer(4); // tiny on purpose: exercises growth
  write(w);
  return new Reader(w.finish());
}

describe('Reader/Writer', () => {
  it('int64 as number, including negatives and values up to 2^53', () => {
    const values = [0, 1, -1, 2 ** 32, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53) + 1, 1700000000123, -2147483649];
    const r = roundTrip((w) => values.forEach((v) => w.int64(v)));
    expect(values.map(() => r.int64())).toEqual(values);
    expect(new Writer().finish().length).toBe(0);
    const b = new Writer();
    b.int64(-2);
    expect(b.finish()).toEqual(Buffer.from('fffffffffffffffe', 'hex'));
  });

  it('unsigned and zig-zag varints, varlongs', () => {
    const u = [0, 1, 127, 128, 300, 16383, 16384, 2 ** 31 - 1, 2 ** 32 - 1];
    const s = [0, -1, 1, -64, 64, 2 ** 31 - 1, -(2 ** 31)];
    const l = [0, -1, 1, 2 ** 40, -(2 ** 40), 2 ** 53 - 1, -(2 ** 53 - 1)];
    const r = roundTrip((w) => {
      u.forEach((v) => w.uvarint(v));
      s.forEach((v) => w.varint(v));
      l.forEach((v) => w.varlong(v));
    });
    expect(u.map(() => r.uvarint())).toEqual(u);
    expect(s.map(() => r.varint())).toEqual(s);
    expect(l.map(() => r.varlong())).toEqual(l);
    expect(r.remaining()).toBe(0);
    const one = new Writer();
    one.varint(-1);
    one.uvarint(300);
    expect(one.finish()).toEqual(Buffer.from([0x01, 0xac, 0x02]));
  });

  it('strings and bytes, classic and compact, nullable, multi-byte UTF-8', () => {
    const long = 'x'.repeat(200) + 'ü';
    const r = roundTrip((w) => {
      w.string('héllo', false);
      w.nullableString(null, false);
      w.string('héllo', true);
      w.nullableString(null, true);
      w.string(long, true);
      w.nullableBytes(Buffer.alloc(600, 1), false);
      w.nullableBytes(null, true);
      w.bytes(Buffer.from([1, 2]), true);
    });
    expect(r.string(false)).toBe('héllo');
    expect(r.nullableString(false)).toBeNull();
    expect(r.string(true)).toBe('héllo');
    expect(r.nullableString(true)).toBeNull();
    expect(r.string(true)).toBe(long);
    expect(r.bytes(false)).toEqual(Buffer.alloc(600, 1));
    expect(r.nullableBytes(true)).toBeNull();
    expect(r.bytes(true)).toEqual(Buffer.from([1, 2]));
  });

  it('decodes bytes as zero-copy slices of the input', () => {
    const buf = Buffer.from([0, 0, 0, 3, 9, 8, 7]);
    const b = new Reader(buf).bytes(false);
    buf[4] = 1;
    expect(b[0]).toBe(1);
  });

  it('large blobs are referenced until finish() and copied once', () => {
    const big = Buffer.alloc(5000, 3);
    const w = new Writer(16);
    w.int32(7);
    w.raw(big);
    w.int16(1);
    expect(w.length).toBe(5006);
    const out = w.finish();
    expect(out.readInt32BE(0)).toBe(7);
    expect(out.subarray(4, 5004)).toEqual(big);
    expect(out.readInt16BE(5004)).toBe(1);
  });

  it('throws ProtocolError on truncation, null in non-nullable fields and bad array lengths', () => {
    expect(() => new Reader(Buffer.from([0, 0, 0])).int32()).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.from([0xff, 0xff])).string(false)).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.from([0, 5, 1])).string(false)).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.from([0x80, 0x80])).uvarint()).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xfe])).arrayLength(false)).toThrow(ProtocolError);
    expect(new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff])).arrayLength(false)).toBe(-1);
    expect(() => new Writer().uuid(Buffer.alloc(3))).toThrow(ProtocolError);
  });
});
