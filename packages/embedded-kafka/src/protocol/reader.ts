import { ProtocolError } from './protocol-error.js';

const TWO_32 = 4294967296;
const EMPTY = Buffer.alloc(0);

/**
 * Sequential big-endian reader over a Buffer, used by the generated decoders.
 * Every read checks bounds so truncated frames surface as ProtocolError, never as garbage.
 */
export class Reader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    readonly end = buf.length,
  ) {
    this.pos = offset;
  }

  remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): number {
    const p = this.pos;
    if (p + n > this.end) throw new ProtocolError(`truncated input: need ${n} bytes at ${p}, have ${this.end - p}`);
    this.pos = p + n;
    return p;
  }

  int8(): number {
    const p = this.need(1);
    return (this.buf[p]! << 24) >> 24;
  }

  bool(): boolean {
    return this.buf[this.need(1)] !== 0;
  }

  int16(): number {
    const p = this.need(2);
    return ((this.buf[p]! << 24) | (this.buf[p + 1]! << 16)) >> 16;
  }

  uint16(): number {
    const p = this.need(2);
    return (this.buf[p]! << 8) | this.buf[p + 1]!;
  }

  int32(): number {
    const p = this.need(4);
    const b = this.buf;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  uint32(): number {
    return this.int32() >>> 0;
  }

  /** int64 as a JS number (exact up to 2^53, which is all the broker ever needs). */
  int64(): number {
    const hi = this.int32();
    const lo = this.int32() >>> 0;
    return hi * TWO_32 + lo;
  }

  float64(): number {
    return this.buf.readDoubleBE(this.need(8));
  }

  uvarint(): number {
    const b = this.buf;
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new ProtocolError('truncated varint');
      const byte = b[this.pos++]!;
      if (shift < 28) result |= (byte & 0x7f) << shift;
      else result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
      if (shift > 35) throw new ProtocolError('varint too long');
    }
    return result;
  }

  /** Zig-zag signed varint (32-bit range). */
  varint(): number {
    const u = this.uvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** Zig-zag signed varlong as a JS number (exact up to 2^53). */
  varlong(): number {
    const b = this.buf;
    const start = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      if (this.pos >= this.end) throw new ProtocolError('truncated varlong');
      if (i >= 10) throw new ProtocolError('varlong too long');
      const byte = b[this.pos++]!;
      result += (byte & 0x7f) * mul;
      if ((byte & 0x80) === 0) break;
      mul *= 128;
    }
    // beyond 2^53 the double sum is inexact: redo it with BigInt (rare)
    if (result >= 2 ** 53) return this.bigVarlong(start);
    // zig-zag decode with arithmetic: even -> n/2, odd -> -(n+1)/2
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }

  private bigVarlong(start: number): number {
    let u = 0n;
    let shift = 0n;
    for (let p = start; p < this.pos; p++, shift += 7n) u |= BigInt(this.buf[p]! & 0x7f) << shift;
    u = BigInt.asUintN(64, u);
    return Number((u >> 1n) ^ -(u & 1n));
  }

  private utf8(len: number): string {
    const p = this.need(len);
    return this.buf.toString('utf8', p, p + len);
  }

  /** Length-prefixed string (int16, or unsigned varint+1 when compact); null for length -1. */
  nullableString(compact: boolean): string | null {
    const len = compact ? this.uvarint() - 1 : this.int16();
    if (len < 0) return null;
    return this.utf8(len);
  }

  string(compact: boolean): string {
    const s = this.nullableString(compact);
    if (s === null) throw new ProtocolError('null string in a non-nullable field');
    return s;
  }

  /** Length-prefixed bytes (int32, or unsigned varint+1 when compact), zero-copy. */
  nullableBytes(compact: boolean): Buffer | null {
    const len = compact ? this.uvarint() - 1 : this.int32();
    if (len < 0) return null;
    if (len === 0) return EMPTY;
    const p = this.need(len);
    return this.buf.subarray(p, p + len);
  }

  bytes(compact: boolean): Buffer {
    const b = this.nullableBytes(compact);
    if (b === null) throw new ProtocolError('null bytes in a non-nullable field');
    return b;
  }

  uuid(): Buffer {
    const p = this.need(16);
    return this.buf.subarray(p, p + 16);
  }

  /** Array length: -1 means null. Rejects counts that cannot fit in the remaining bytes. */
  arrayLength(compact: boolean): number {
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n < -1 || n > this.end - this.pos) throw new ProtocolError(`bad array length ${n} (${this.end - this.pos} bytes left)`);
    return n;
  }

  skip(n: number): void {
    this.need(n);
  }

  /** Skip a whole tagged-field section (used where no tags are known). */
  skipTaggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.skip(this.uvarint());
    }
  }
}
