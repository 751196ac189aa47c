/** Ready-made Weir step functions for envelope decoding. */

import { EnvelopeDecoder, type DecodedRecord, type SnapshotSource } from './decoder.js';
import type { SchemaRegistry } from '../registry/registry.js';

const EMPTY = new Uint8Array(0);

/** What the parse step accepts: raw bytes, or a record carrying them (e.g. a Kafka message's `value`). */
export type ParseInput = Uint8Array | { value: Uint8Array | null | undefined };

/**
 * A function for `stream.map(name, fn)` that decodes one envelope with the registry's current
 * snapshot. A record it cannot decode throws an `EnvelopeDecodeError` (`unknown-stream: ...`,
 * `decompression-failed: ...`), which Weir's default `'dead-letter'` error policy routes to
 * `pipeline.deadLetters()` with the step name, the reason and the source position.
 *
 * ```ts
 * source.map('parse', parseEnvelope(registry)).sink(...)
 * ```
 */
export function parseEnvelope(source: SchemaRegistry | SnapshotSource): ((input: ParseInput) => DecodedRecord) & { decoder: EnvelopeDecoder } {
  const decoder = new EnvelopeDecoder(isRegistry(source) ? () => source.current() : source);
  // a missing value is the decoder's 'bad-envelope' too (an EnvelopeDecodeError, counted in its stats)
  const fn = (input: ParseInput): DecodedRecord => decoder.decodeOne(input instanceof Uint8Array ? input : (input.value ?? EMPTY));
  return Object.assign(fn, { decoder });
}

function isRegistry(source: SchemaRegistry | SnapshotSource): source is SchemaRegistry {
  return typeof (source as SchemaRegistry).current === 'function' && typeof (source as SchemaRegistry).reload === 'function';
}
