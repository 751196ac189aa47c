/**
 * Checkpoint file format shared by all backends: a 8-byte magic header followed by frames
 * `u32 keyLength | key bytes (utf8 "<state>\0<key>") | u32 valueLength | value bytes
 * (encodeSlot)`. Written as a stream of ~1 MiB chunks, read back incrementally.
 */

const MAGIC = Buffer.from('WEIRKV01');
const CHUNK_BYTES = 1 << 20;

/** One key/value pair of a state file: composed key (string or utf8 bytes) and encoded slot. */
export type KvPair = readonly [key: Uint8Array | string, value: Uint8Array];

/** Serialises batches of key/value pairs into file chunks (batches keep per-pair awaits off the path). */
export async function* encodeKvFile(batches: AsyncIterable<readonly KvPair[]>): AsyncGenerator<Uint8Array> {
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  MAGIC.copy(chunk, 0);
  let pos = MAGIC.length;
  for await (const batch of batches) {
    for (const [rawKey, value] of batch) {
      const key = typeof rawKey === 'string' ? Buffer.from(rawKey, 'utf8') : rawKey;
      const need = 8 + key.length + value.length;
      if (pos + need > chunk.length) {
        if (pos > 0) yield chunk.subarray(0, pos);
        chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, need));
        pos = 0;
      }
      chunk.writeUInt32LE(key.length, pos);
      chunk.set(key, pos + 4);
      pos += 4 + key.length;
      chunk.writeUInt32LE(value.length, pos);
      chunk.set(value, pos + 4);
      pos += 4 + value.length;
    }
  }
  if (pos > 0) yield chunk.subarray(0, pos);
}

/** Parses a file written by {@link encodeKvFile}; yields, per input chunk, the (composed key, encoded value) pairs completed by it. */
export async function* decodeKvFile(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<[key: string, value: Buffer][]> {
  // Incomplete tail of earlier chunks, kept as parts and joined only once the awaited frame
  // is complete (joining on every small chunk would be quadratic for large values).
  let parts: Buffer[] = [];
  let partsLength = 0;
  let needed = MAGIC.length;
  let headerChecked = false;
  for await (const raw of chunks) {
    parts.push(Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
    partsLength += raw.byteLength;
    if (partsLength < needed) continue;
    let buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, partsLength);
    if (!headerChecked) {
      if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('Not a Weir state file (bad magic header)');
      buf = buf.subarray(MAGIC.length);
      headerChecked = true;
    }
    let pos = 0;
    const pairs: [string, Buffer][] = [];
    while (true) {
      needed = frameLength(buf, pos);
      if (pos + needed > buf.length) break;
      const keyLen = buf.readUInt32LE(pos);
      const key = buf.toString('utf8', pos + 4, pos + 4 + keyLen);
      // Copy the value so it does not pin the whole chunk in memory.
      const value = Buffer.from(buf.subarray(pos + 8 + keyLen, pos + needed));
      pairs.push([key, value]);
      pos += needed;
    }
    const rest = buf.subarray(pos);
    parts = rest.length === 0 ? [] : [rest];
    partsLength = rest.length;
    if (pairs.length > 0) yield pairs;
  }
  if (!headerChecked) throw new Error('Not a Weir state file (too short)');
  if (partsLength > 0) throw new Error(`Truncated Weir state file (${partsLength} trailing bytes)`);
}

/** Bytes of the frame starting at `pos`, or a lower bound when its length fields are not all there yet. */
function frameLength(buf: Buffer, pos: number): number {
  const available = buf.length - pos;
  if (available < 4) return 4;
  const keyLen = buf.readUInt32LE(pos);
  if (available < 8 + keyLen) return 8 + keyLen;
  return 8 + keyLen + buf.readUInt32LE(pos + 4 + keyLen);
}
