/**
 * Table-driven CRC-32 variants with slicing-by-8 (eight bytes per step): CRC-32C (Castagnoli, used by
 * RecordBatch v2) and CRC-32 (IEEE, used by legacy message sets).
 */

function makeTables(poly: number): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[i] = c;
  }
  for (let i = 0; i < 256; i++) {
    for (let k = 1; k < 8; k++) {
      const prev = t[(k - 1) * 256 + i]!;
      t[k * 256 + i] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  return t;
}

function crcWith(t: Int32Array, buf: Uint8Array, start: number, end: number, previous: number): number {
  let crc = ~previous;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    crc ^= buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
    crc =
      t[0x700 + (crc & 0xff)]! ^
      t[0x600 + ((crc >>> 8) & 0xff)]! ^
      t[0x500 + ((crc >>> 16) & 0xff)]! ^
      t[0x400 + (crc >>> 24)]! ^
      t[0x300 + buf[i + 4]!]! ^
      t[0x200 + buf[i + 5]!]! ^
      t[0x100 + buf[i + 6]!]! ^
      t[buf[i + 7]!]!;
  }
  for (; i < end; i++) crc = (crc >>> 8) ^ t[(crc ^ buf[i]!) & 0xff]!;
  return (crc ^ -1) >>> 0;
}

const CRC32C_TABLES = makeTables(0x82f63b78);
const CRC32_TABLES = makeTables(0xedb88320);

/**
 * CRC-32C of buf[start, end) as an unsigned 32-bit number. Pass the CRC of the preceding bytes as
 * `previous` to checksum data given in pieces (the log's file frames).
 */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length, previous = 0): number {
  return crcWith(CRC32C_TABLES, buf, start, end, previous);
}

/** CRC-32 (IEEE) of buf[start, end) as an unsigned 32-bit number. */
export function crc32(buf: Buffer, start = 0, end = buf.length): number {
  return crcWith(CRC32_TABLES, buf, start, end, 0);
}
