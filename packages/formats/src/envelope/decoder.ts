/** Batch decoding of envelopes into typed records, with dead letters instead of exceptions. */

import type protobuf from 'protobufjs';
import { COMPRESSIONS, decompress, type Compression } from './codecs.js';
import type { EnvelopeMessage } from './envelope-schema.js';
import { readEnvelope } from './envelope-reader.js';
import type { SchemaSnapshot } from '../registry/snapshot.js';

/** Why a record could not be decoded. */
export type DecodeFailureReason = 'bad-envelope' | 'unknown-stream' | 'decompression-failed' | 'bad-payload';

/** An input to the decoder: raw envelope bytes, optionally with their source position. */
export type EnvelopeInput = Uint8Array | { bytes: Uint8Array; position?: unknown };

/** A successfully decoded record. */
export interface DecodedRecord<T = Record<string, any>> {
  stream: string;
  /** Fully qualified message type (no leading dot). */
  messageType: string;
  /** The protobufjs message (field names as in the .proto; int64 as Long, enums as numbers). */
  value: T;
  /** Version of the registry snapshot that decoded it. */
  schemaVersion: number;
  /** Version the producer wrote into the envelope. */
  writerSchemaVersion: number;
  position?: unknown;
}

/** A record the decoder gave up on. */
export interface DecodeDeadLetter {
  reason: DecodeFailureReason;
  /** Human-readable cause. */
  error: string;
  position?: unknown;
  /** The stream, when the envelope was readable. */
  stream?: string;
  /** The raw input bytes. */
  bytes: Uint8Array;
}

/** Output of {@link EnvelopeDecoder.decodeBatch}. */
export interface DecodedBatch {
  records: DecodedRecord[];
  deadLetters: DecodeDeadLetter[];
}

/** Thrown by {@link EnvelopeDecoder.decodeOne}; carries the reason. */
export class EnvelopeDecodeError extends Error {
  constructor(
    readonly reason: DecodeFailureReason,
    message: string,
    readonly stream?: string,
  ) {
    super(`${reason}: ${message}`);
    this.name = 'EnvelopeDecodeError';
  }
}

/** Counters of an {@link EnvelopeDecoder}. */
export interface DecoderStats {
  decoded: number;
  deadLetters: number;
  byReason: Record<DecodeFailureReason, number>;
}

/** Where the decoder gets its schemas: a fixed snapshot or a provider (e.g. `() => registry.current()`). */
export type SnapshotSource = SchemaSnapshot | (() => SchemaSnapshot);

const OPEN_BRACE = 0x7b;
const EMPTY = new Uint8Array(0);
/** `Type.fullName` walks the parents on every call; cache the name without the leading dot. */
const typeNames = new WeakMap<protobuf.Type, string>();
function nameOf(type: protobuf.Type): string {
  let name = typeNames.get(type);
  if (name === undefined) typeNames.set(type, (name = type.fullName.slice(1)));
  return name;
}
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes envelopes with the compiled types of a registry snapshot. `decodeBatch` never throws:
 * undecodable envelopes, unknown streams, failed decompression and bad payloads become dead
 * letters with a reason and the source position, and are counted in `stats`.
 */
export class EnvelopeDecoder {
  readonly stats: DecoderStats = {
    decoded: 0,
    deadLetters: 0,
    byReason: { 'bad-envelope': 0, 'unknown-stream': 0, 'decompression-failed': 0, 'bad-payload': 0 },
  };
  private readonly snapshotOf: () => SchemaSnapshot;

  constructor(source: SnapshotSource) {
    this.snapshotOf = typeof source === 'function' ? source : () => source;
  }

  /**
   * Decode a batch with one snapshot (taken once at the start, so a batch never mixes schema
   * versions unless `snapshot` is passed per call by the runtime).
   */
  decodeBatch(inputs: readonly EnvelopeInput[], snapshot: SchemaSnapshot = this.snapshotOf()): DecodedBatch {
    const records: DecodedRecord[] = [];
    const deadLetters: DecodeDeadLetter[] = [];
    for (const input of inputs) {
      const raw = input instanceof Uint8Array;
      const bytes = raw ? input : (input?.bytes ?? EMPTY);
      const position = raw ? undefined : input?.position;
      try {
        const record = decodeWith(snapshot, bytes);
        if (position !== undefined) record.position = position;
        records.push(record);
      } catch (error) {
        const e = asDecodeError(error);
        const dead: DecodeDeadLetter = { reason: e.reason, error: e.message, bytes };
        if (position !== undefined) dead.position = position;
        if (e.stream !== undefined) dead.stream = e.stream;
        deadLetters.push(dead);
        this.stats.byReason[e.reason]++;
      }
    }
    this.stats.decoded += records.length;
    this.stats.deadLetters += deadLetters.length;
    return { records, deadLetters };
  }

  /** Decode one envelope; throws {@link EnvelopeDecodeError} with the reason. For `map` steps. */
  decodeOne(bytes: Uint8Array, snapshot: SchemaSnapshot = this.snapshotOf()): DecodedRecord {
    try {
      const record = decodeWith(snapshot, bytes);
      this.stats.decoded++;
      return record;
    } catch (error) {
      const e = asDecodeError(error);
      this.stats.deadLetters++;
      this.stats.byReason[e.reason]++;
      throw e;
    }
  }
}

function asDecodeError(error: unknown): EnvelopeDecodeError {
  return error instanceof EnvelopeDecodeError ? error : new EnvelopeDecodeError('bad-payload', (error as Error)?.message ?? String(error));
}

function decodeWith(snapshot: SchemaSnapshot, bytes: Uint8Array): DecodedRecord {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new EnvelopeDecodeError('bad-envelope', 'no bytes (empty or missing value)');
  if (bytes[0] === OPEN_BRACE) return decodeJsonEnvelope(snapshot, bytes);
  let envelope: EnvelopeMessage;
  try {
    envelope = readEnvelope(bytes);
  } catch (error) {
    throw new EnvelopeDecodeError('bad-envelope', `not a Weir envelope (${(error as Error).message})`);
  }
  const { stream } = envelope;
  if (!stream) throw new EnvelopeDecodeError('bad-envelope', 'envelope has no stream id');
  const type = snapshot.typeOf(stream);
  if (!type) throw new EnvelopeDecodeError('unknown-stream', `stream '${stream}' is not registered (schema version ${snapshot.version})`, stream);
  const compression: Compression | undefined = COMPRESSIONS[envelope.compression];
  if (!compression) throw new EnvelopeDecodeError('bad-envelope', `unknown compression ${envelope.compression}`, stream);
  let payload: Uint8Array;
  try {
    payload = decompress(envelope.payload, compression);
  } catch (error) {
    throw new EnvelopeDecodeError('decompression-failed', `${compression} payload of ${envelope.payload.length} bytes: ${(error as Error).message}`, stream);
  }
  let value: Record<string, any>;
  try {
    value = envelope.format === 1 ? fromJson(type, textDecoder.decode(payload)) : (type.decode(payload) as unknown as Record<string, any>);
  } catch (error) {
    throw new EnvelopeDecodeError('bad-payload', `${envelope.format === 1 ? 'JSON' : 'protobuf'} payload is not a valid ${nameOf(type)}: ${(error as Error).message}`, stream);
  }
  return { stream, messageType: nameOf(type), value, schemaVersion: snapshot.version, writerSchemaVersion: envelope.schema_version };
}

function decodeJsonEnvelope(snapshot: SchemaSnapshot, bytes: Uint8Array): DecodedRecord {
  let parsed: { stream?: unknown; schemaVersion?: unknown; payload?: unknown };
  try {
    parsed = JSON.parse(textDecoder.decode(bytes)) as typeof parsed;
  } catch (error) {
    throw new EnvelopeDecodeError('bad-envelope', `not a JSON envelope (${(error as Error).message})`);
  }
  if (typeof parsed?.stream !== 'string' || !parsed.stream) throw new EnvelopeDecodeError('bad-envelope', 'JSON envelope has no "stream" string');
  const stream = parsed.stream;
  const type = snapshot.typeOf(stream);
  if (!type) throw new EnvelopeDecodeError('unknown-stream', `stream '${stream}' is not registered (schema version ${snapshot.version})`, stream);
  if (typeof parsed.payload !== 'object' || parsed.payload === null) throw new EnvelopeDecodeError('bad-payload', 'JSON envelope has no "payload" object', stream);
  let value: Record<string, any>;
  try {
    value = fromObject(type, parsed.payload as Record<string, unknown>);
  } catch (error) {
    throw new EnvelopeDecodeError('bad-payload', `JSON payload is not a valid ${nameOf(type)}: ${(error as Error).message}`, stream);
  }
  const writer = typeof parsed.schemaVersion === 'number' ? parsed.schemaVersion : 0;
  return { stream, messageType: nameOf(type), value, schemaVersion: snapshot.version, writerSchemaVersion: writer };
}

function fromJson(type: protobuf.Type, text: string): Record<string, any> {
  const parsed = JSON.parse(text) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('JSON payload must be an object');
  return fromObject(type, parsed as Record<string, unknown>);
}

/** JSON object -> message (protobufjs conversion: int64 from strings, enums from names; a non-object where a message belongs throws). */
function fromObject(type: protobuf.Type, object: Record<string, unknown>): Record<string, any> {
  return type.fromObject(object) as unknown as Record<string, any>;
}
