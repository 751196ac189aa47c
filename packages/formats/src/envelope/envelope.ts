/** Encoding envelopes (producer side, tests, benchmarks). */

import { compress, COMPRESSIONS, type Compression } from './codecs.js';
import { EnvelopeType } from './envelope-schema.js';
import type { SchemaSnapshot } from '../registry/snapshot.js';

/** Payload encoding inside an envelope. */
export type PayloadFormat = 'protobuf' | 'json';

/** Fields of an envelope before encoding. */
export interface EnvelopeFields {
  stream: string;
  schemaVersion?: number;
  compression?: Compression;
  format?: PayloadFormat;
  /** Uncompressed payload bytes (protobuf encoding or UTF-8 JSON); compressed here. */
  payload: Uint8Array;
}

/** Encode a binary envelope, compressing the payload. */
export function encodeEnvelope(fields: EnvelopeFields): Uint8Array {
  const compression = fields.compression ?? 'none';
  return EnvelopeType.encode({
    stream: fields.stream,
    schema_version: fields.schemaVersion ?? 0,
    compression: COMPRESSIONS.indexOf(compression),
    format: fields.format === 'json' ? 1 : 0,
    payload: compress(fields.payload, compression),
  }).finish();
}

/** Options of {@link encodeRecord}. */
export interface EncodeRecordOptions {
  compression?: Compression;
  format?: PayloadFormat;
}

/**
 * Encode a plain object as the message type registered for `stream` in `snapshot`, wrapped in an
 * envelope carrying the snapshot's version. Throws when the stream is unknown or the object does
 * not fit the type.
 */
export function encodeRecord(snapshot: SchemaSnapshot, stream: string, value: Record<string, unknown>, options: EncodeRecordOptions = {}): Uint8Array {
  const type = snapshot.typeOf(stream);
  if (!type) throw new Error(`unknown stream '${stream}'`);
  let payload: Uint8Array;
  if (options.format === 'json') {
    payload = Buffer.from(JSON.stringify(bigintsToStrings(value)));
  } else {
    // fromObject: int64 from number/string/bigint, enums from names or numbers, bytes from base64
    payload = type.encode(type.fromObject(bigintsToStrings(value) as Record<string, unknown>)).finish();
  }
  return encodeEnvelope({ stream, schemaVersion: snapshot.version, compression: options.compression ?? 'none', format: options.format ?? 'protobuf', payload });
}

function bigintsToStrings(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(bigintsToStrings);
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = bigintsToStrings(v);
    return out;
  }
  return value;
}
