/** Zig-zag varints as used inside RecordBatch v2 records (only the builder writes them). */

/** Bytes needed for the zig-zag varint of a 32-bit signed value. */
export function varintSize(value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let n = 1;
  while (v >= 0x80) {
    v >>>= 7;
    n++;
  }
  return n;
}

/** Write the zig-zag varint of a 32-bit signed value at `pos`; returns the next position. */
export function writeVarint(buf: Buffer, value: number, pos: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/** Bytes needed for the zig-zag varlong of a (safe-integer) value. */
export function varlongSize(value: number): number {
  let v = zigzag64(value);
  let n = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    n++;
  }
  return n;
}

/** Write the zig-zag varlong of a (safe-integer) value at `pos`; returns the next position. */
export function writeVarlong(buf: Buffer, value: number, pos: number): number {
  let v = zigzag64(value);
  while (v >= 0x80n) {
    buf[pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  buf[pos++] = Number(v);
  return pos;
}

/** Read a zig-zag varint at `pos`; returns [value, next position]. */
export function readVarint(buf: Buffer, pos: number): [number, number] {
  let raw = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++]!;
    raw |= (b & 0x7f) << shift;
    if (b < 0x80) break;
    shift += 7;
  }
  return [(raw >>> 1) ^ -(raw & 1), pos];
}

function zigzag64(value: number): bigint {
  const v = BigInt(value);
  return v >= 0n ? v << 1n : ((-v) << 1n) - 1n;
}

/** Read a zig-zag varlong at `pos` (exact up to 2^53); returns [value, next position]. */
export function readVarlong(buf: Buffer, pos: number): [number, number] {
  let raw = 0;
  let scale = 1;
  for (;;) {
    const b = buf[pos++]!;
    raw += (b & 0x7f) * scale;
    if (b < 0x80) break;
    scale *= 128;
  }
  return [raw % 2 === 1 ? -(raw + 1) / 2 : raw / 2, pos];
}
