/** Shared constants and helpers for the generated codecs (internal to the protocol module). */
import type { Writer } from './writer.js';

/** Default for absent non-nullable bytes fields when encoding (never written to). */
export const EMPTY_BYTES: Buffer = Buffer.alloc(0);
/** Default for absent uuid fields when encoding (never written to). */
export const ZERO_UUID: Buffer = Buffer.alloc(16);
/** Default for absent non-nullable arrays when encoding. */
export const EMPTY_ARRAY: readonly never[] = Object.freeze([]);

export function isZeroUuid(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/** Append one tagged field whose value was encoded into `value` (tag, size, bytes). */
export function writeTaggedField(w: Writer, tag: number, value: Writer): void {
  const b = value.finish();
  w.uvarint(tag);
  w.uvarint(b.length);
  w.raw(b);
}
