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
  let pending: Buffer = Buffer.alloc(0);
  let headerChecked = false;
  for await (const raw of chunks) {
    const incoming = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    let buf = pending.length === 0 ? incoming : Buffer.concat([pending, incoming]);
    if (!headerChecked) {
      if (buf.length < MAGIC.length) {
        pending = buf;
        continue;
      }
      if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('Not a Weir state file (bad magic header)');
      buf = buf.subarray(MAGIC.length);
      headerChecked = true;
    }
    let pos = 0;
    const pairs: [string, Buffer][] = [];
    while (true) {
      if (pos + 4 > buf.length) break;
      const keyLen = buf.readUInt32LE(pos);
      if (pos + 8 + keyLen > buf.length) break;
      const valueLen = buf.readUInt32LE(pos + 4 + keyLen);
      const end = pos + 8 + keyLen + valueLen;
      if (end > buf.length) break;
      const key = buf.toString('utf8', pos + 4, pos + 4 + keyLen);
      // Copy the value so it does not pin the whole chunk in memory.
      const value = Buffer.from(buf.subarray(pos + 8 + keyLen, end));
      pairs.push([key, value]);
      pos = end;
    }
    pending = buf.subarray(pos);
    if (pairs.length > 0) yield pairs;
  }
  if (!headerChecked) throw new Error('Not a Weir state file (too short)');
  if (pending.length > 0) throw new Error(`Truncated Weir state file (${pending.length} trailing bytes)`);
}
