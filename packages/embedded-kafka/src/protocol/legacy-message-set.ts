/**
 * Legacy message sets (magic 0 and 1), spoken by Produce v0-2 and Fetch v0-3, so the broker can
 * up-convert old produce requests and down-convert fetch responses.
 *
 * Message: offset i64, size i32, crc u32 (CRC-32 over magic..end), magic i8, attributes i8,
 * [timestamp i64 when magic 1], key bytes (i32 length), value bytes (i32 length).
 */
import { gunzipSync } from 'node:zlib';
import { crc32 } from './crc.js';
import { ProtocolError } from './protocol-error.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

export interface LegacyMessage {
  offset: number;
  magic: number;
  attributes: number;
  /** -1 for magic 0. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}

const COMPRESSION_GZIP = 1;
const LOG_APPEND_TIME = 0x08;

/**
 * Read the messages of a legacy message set. Gzip wrapper messages are decompressed and replaced by
 * their inner messages (with absolute offsets); a trailing partial message is ignored.
 * @throws ProtocolError on CRC mismatch, a non-legacy magic or a compression other than gzip.
 */
export function readLegacyMessageSet(buf: Buffer): LegacyMessage[] {
  const out: LegacyMessage[] = [];
  let off = 0;
  while (off + 12 <= buf.length) {
    const size = buf.readInt32BE(off + 8);
    if (size < 14) throw new ProtocolError(`corrupt legacy message size ${size} at ${off}`);
    const end = off + 12 + size;
    if (end > buf.length) break; // partial trailing message
    const msg = readMessage(buf, off, end);
    if ((msg.attributes & 0x07) === 0) out.push(msg);
    else out.push(...unwrap(msg));
    off = end;
  }
  return out;
}

function readMessage(buf: Buffer, off: number, end: number): LegacyMessage {
  const r = new Reader(buf, off, end);
  const offset = r.int64();
  r.int32(); // size
  const crc = r.uint32();
  if (crc32(buf, r.pos, end) !== crc) throw new ProtocolError(`legacy message CRC mismatch at ${off}`);
  const magic = r.int8();
  if (magic !== 0 && magic !== 1) throw new ProtocolError(`not a legacy message (magic ${magic}) at ${off}`);
  const attributes = r.int8();
  const timestamp = magic === 1 ? r.int64() : -1;
  const key = r.nullableBytes(false);
  const value = r.nullableBytes(false);
  return { offset, magic, attributes, timestamp, key, value };
}

/** Inner messages of a compressed wrapper, with absolute offsets. */
function unwrap(wrapper: LegacyMessage): LegacyMessage[] {
  const codec = wrapper.attributes & 0x07;
  if (codec !== COMPRESSION_GZIP) throw new ProtocolError('unsupported legacy compression');
  if (!wrapper.value) return [];
  let inflated: Buffer;
  try {
    inflated = gunzipSync(wrapper.value);
  } catch (e) {
    throw new ProtocolError(`corrupt gzip legacy message: ${(e as Error).message}`);
  }
  const inner = readLegacyMessageSet(inflated);
  if (wrapper.magic === 0 || inner.length === 0) return inner;
  // magic 1: inner offsets are relative, the wrapper carries the absolute offset of the last one
  const shift = wrapper.offset - inner[inner.length - 1]!.offset;
  const logAppend = (wrapper.attributes & LOG_APPEND_TIME) !== 0;
  return inner.map((m) => ({
    ...m,
    offset: m.offset + shift,
    timestamp: logAppend ? wrapper.timestamp : m.timestamp,
  }));
}

/** Build an uncompressed legacy message set (magic 0 or 1) with the given offsets. */
export function buildLegacyMessageSet(
  messages: ReadonlyArray<{ offset: number; key: Buffer | null; value: Buffer | null; timestamp?: number; attributes?: number }>,
  magic: 0 | 1,
): Buffer {
  const w = new Writer(64 * messages.length + 16);
  const bounds: number[] = [];
  for (const m of messages) {
    const start = w.length;
    w.int64(m.offset);
    w.int32(0); // size, patched below
    w.int32(0); // crc, patched below
    w.int8(magic);
    w.int8((m.attributes ?? 0) & ~0x07); // uncompressed
    if (magic === 1) w.int64(m.timestamp ?? -1);
    w.nullableBytes(m.key, false);
    w.nullableBytes(m.value, false);
    bounds.push(start, w.length);
  }
  const out = w.finish();
  for (let i = 0; i < bounds.length; i += 2) {
    const start = bounds[i]!;
    const end = bounds[i + 1]!;
    out.writeInt32BE(end - start - 12, start + 8);
    out.writeUInt32BE(crc32(out, start + 16, end), start + 12);
  }
  return out;
}
