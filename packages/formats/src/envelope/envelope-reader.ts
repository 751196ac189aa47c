/** A hand-rolled reader for the envelope message: five fields, no allocation beyond the result. */

import protobuf from 'protobufjs';
import type { EnvelopeMessage } from './envelope-schema.js';

const utf8 = protobuf.util.utf8;
const EMPTY = new Uint8Array(0);
/** Reused: readEnvelope is synchronous and never re-entered. */
const cursor: Cursor = { bytes: EMPTY, pos: 0, end: 0 };

/** Cursor over one envelope's bytes (module-level functions: no closures per call). */
interface Cursor {
  bytes: Uint8Array;
  pos: number;
  end: number;
}

function varint(c: Cursor): number {
  let result = 0;
  let shift = 0;
  const bytes = c.bytes;
  for (;;) {
    if (c.pos >= c.end) throw new Error(`truncated varint at offset ${c.pos}`);
    const b = bytes[c.pos++]!;
    if (shift < 28) result |= (b & 0x7f) << shift;
    else if (shift < 64) result += (b & 0x7f) * 2 ** shift;
    else throw new Error(`varint too long at offset ${c.pos}`);
    if (b < 0x80) return result >>> 0;
    shift += 7;
  }
}

/** Skip to the end of a length-delimited field; returns its start. */
function lengthDelimited(c: Cursor): number {
  const length = varint(c);
  const start = c.pos;
  if (length > c.end - start) throw new Error(`length ${length} at offset ${start} exceeds the ${c.end} bytes`);
  c.pos = start + length;
  return start;
}

function skip(c: Cursor, wire: number): void {
  if (wire === 0) varint(c);
  else if (wire === 2) lengthDelimited(c);
  else if (wire === 1 || wire === 5) {
    c.pos += wire === 1 ? 8 : 4;
    if (c.pos > c.end) throw new Error('truncated fixed-width field');
  } else throw new Error(`invalid wire type ${wire} at offset ${c.pos}`);
}

/**
 * Decode an envelope (same wire format as `EnvelopeType.decode`, unknown fields skipped). The
 * payload is a view into `bytes`, not a copy. Throws on truncated or malformed input.
 */
export function readEnvelope(bytes: Uint8Array): EnvelopeMessage {
  const c = cursor;
  c.bytes = bytes;
  c.pos = 0;
  c.end = bytes.length;
  const message: EnvelopeMessage = { stream: '', schema_version: 0, compression: 0, format: 0, payload: EMPTY };
  while (c.pos < c.end) {
    const tag = varint(c);
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 0) throw new Error(`invalid field number 0 at offset ${c.pos}`);
    if (field === 1 && wire === 2) {
      const start = lengthDelimited(c);
      message.stream = utf8.read(bytes, start, c.pos);
    } else if (field === 2 && wire === 0) message.schema_version = varint(c);
    else if (field === 3 && wire === 0) message.compression = varint(c);
    else if (field === 4 && wire === 0) message.format = varint(c);
    else if (field === 5 && wire === 2) {
      const start = lengthDelimited(c);
      message.payload = bytes.subarray(start, c.pos);
    } else skip(c, wire);
  }
  return message;
}
