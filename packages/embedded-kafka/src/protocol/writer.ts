import { ProtocolError } from './protocol-error.js';

const TWO_32 = 4294967296;
/** Byte blobs at least this large are referenced, not copied, until `finish()` copies them once. */
const BY_REFERENCE = 512;

/**
 * Growable big-endian writer used by the generated encoders.
 * Growing never re-copies earlier output: filled segments and large blobs (records) are kept as a
 * chunk list and `finish()` joins them with a single copy.
 */
export class Writer {
  private buf: Buffer;
  private pos = 0;
  private segStart = 0;
  private readonly chunks: Buffer[] = [];
  private chunkBytes = 0;

  constructor(initialCapacity = 256) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.chunkBytes + this.pos - this.segStart;
  }

  private flushSegment(): void {
    if (this.pos > this.segStart) {
      this.chunks.push(this.buf.subarray(this.segStart, this.pos));
      this.chunkBytes += this.pos - this.segStart;
    }
    this.segStart = this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flushSegment();
    this.buf = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
    this.pos = 0;
    this.segStart = 0;
  }

  int8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  bool(v: boolean): void {
    this.int8(v ? 1 : 0);
  }

  int16(v: number): void {
    this.ensure(2);
    const b = this.buf;
    b[this.pos] = (v >>> 8) & 0xff;
    b[this.pos + 1] = v & 0xff;
    this.pos += 2;
  }

  uint16(v: number): void {
    this.int16(v);
  }

  int32(v: number): void {
    this.ensure(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = (v >>> 24) & 0xff;
    b[p + 1] = (v >>> 16) & 0xff;
    b[p + 2] = (v >>> 8) & 0xff;
    b[p + 3] = v & 0xff;
    this.pos = p + 4;
  }

  uint32(v: number): void {
    this.int32(v);
  }

  /** int64 from a JS number (exact up to 2^53). */
  int64(v: number): void {
    const hi = Math.floor(v / TWO_32);
    this.int32(hi | 0);
    this.int32((v - hi * TWO_32) >>> 0);
  }

  float64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  uvarint(v: number): void {
    this.ensure(5);
    const b = this.buf;
    while (v >= 0x80) {
      b[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[this.pos++] = v;
  }

  /** Zig-zag signed varint (32-bit range). */
  varint(v: number): void {
    this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /** Zig-zag signed varlong from a JS number (exact up to 2^53). */
  varlong(v: number): void {
    if (v >= 2 ** 52 || v <= -(2 ** 52)) {
      this.bigVarlong(BigInt(v));
      return;
    }
    let u = v >= 0 ? v * 2 : -v * 2 - 1;
    this.ensure(10);
    const b = this.buf;
    while (u >= 0x80) {
      b[this.pos++] = (u % 0x80) | 0x80;
      u = Math.floor(u / 0x80);
    }
    b[this.pos++] = u;
  }

  /** Zig-zag beyond 2^52 would lose precision as a double: use BigInt there (rare). */
  private bigVarlong(v: bigint): void {
    let u = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    this.ensure(10);
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }

  /** Non-compact strings: int16 length; null becomes -1. */
  nullableString(s: string | null, compact: boolean): void {
    if (s === null) {
      if (compact) this.uvarint(0);
      else this.int16(-1);
      return;
    }
    if (compact) {
      if (s.length * 3 < 127) {
        // One-byte length prefix is guaranteed: write the text first, then patch its length.
        this.ensure(1 + s.length * 3);
        const n = this.buf.write(s, this.pos + 1, 'utf8');
        this.buf[this.pos] = n + 1;
        this.pos += 1 + n;
        return;
      }
      const len = Buffer.byteLength(s, 'utf8');
      this.uvarint(len + 1);
      this.ensure(len);
      this.pos += this.buf.write(s, this.pos, 'utf8');
      return;
    }
    this.ensure(2 + s.length * 3);
    const n = this.buf.write(s, this.pos + 2, 'utf8');
    if (n > 0x7fff) throw new ProtocolError(`string too long (${n} bytes)`);
    this.buf[this.pos] = n >>> 8;
    this.buf[this.pos + 1] = n & 0xff;
    this.pos += 2 + n;
  }

  string(s: string, compact: boolean): void {
    this.nullableString(s, compact);
  }

  /** Length-prefixed bytes (int32, or unsigned varint+1 when compact). */
  nullableBytes(b: Buffer | null, compact: boolean): void {
    if (b === null) {
      if (compact) this.uvarint(0);
      else this.int32(-1);
      return;
    }
    if (compact) this.uvarint(b.length + 1);
    else this.int32(b.length);
    this.raw(b);
  }

  bytes(b: Buffer, compact: boolean): void {
    this.nullableBytes(b, compact);
  }

  uuid(b: Buffer): void {
    if (b.length !== 16) throw new ProtocolError(`uuid must be 16 bytes, got ${b.length}`);
    this.raw(b);
  }

  /** Array length prefix; -1 means null. */
  arrayLength(n: number, compact: boolean): void {
    if (compact) this.uvarint(n + 1);
    else this.int32(n);
  }

  /** Raw bytes without a length prefix. Large blobs are referenced and copied once by finish(). */
  raw(b: Buffer): void {
    if (b.length >= BY_REFERENCE) {
      this.flushSegment();
      this.chunks.push(b);
      this.chunkBytes += b.length;
      return;
    }
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }

  /** The written bytes as one Buffer. */
  finish(): Buffer {
    if (this.chunks.length === 0) return this.buf.subarray(this.segStart, this.pos);
    this.flushSegment();
    return Buffer.concat(this.chunks, this.chunkBytes);
  }
}
