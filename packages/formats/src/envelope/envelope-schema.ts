/**
 * The envelope every record travels in: a small protobuf message of Weir's own.
 *
 * ```proto
 * syntax = "proto3";
 * package weir.formats;
 *
 * message Envelope {
 *   string stream = 1;          // stream id, mapped to a message type by the schema registry
 *   uint32 schema_version = 2;  // registry version the producer encoded with (informational)
 *   Compression compression = 3;
 *   PayloadFormat format = 4;
 *   bytes payload = 5;          // the (compressed) protobuf or UTF-8 JSON encoding of the message
 *
 *   enum Compression { NONE = 0; GZIP = 1; ZSTD = 2; LZ4 = 3; SNAPPY = 4; }
 *   enum PayloadFormat { PROTOBUF = 0; JSON = 1; }
 * }
 * ```
 *
 * A JSON envelope is accepted as well: `{"stream": "...", "schemaVersion": 1, "payload": {...}}`
 * (UTF-8, payload as the message's JSON object). It is told apart from the binary envelope by its
 * first byte `{`, which can never start a valid binary envelope (field 15, wire type 3).
 */

import protobuf from 'protobufjs';

export const ENVELOPE_PROTO = `
syntax = "proto3";
package weir.formats;
message Envelope {
  string stream = 1;
  uint32 schema_version = 2;
  Compression compression = 3;
  PayloadFormat format = 4;
  bytes payload = 5;
  enum Compression { NONE = 0; GZIP = 1; ZSTD = 2; LZ4 = 3; SNAPPY = 4; }
  enum PayloadFormat { PROTOBUF = 0; JSON = 1; }
}
`;

/** The decoded wire shape of the envelope message. */
export interface EnvelopeMessage {
  stream: string;
  schema_version: number;
  compression: number;
  format: number;
  payload: Uint8Array;
}

/** The compiled envelope type (decoder generated once). */
export const EnvelopeType: protobuf.Type = (() => {
  const root = protobuf.parse(ENVELOPE_PROTO, { keepCase: true }).root;
  const type = root.lookupType('weir.formats.Envelope');
  type.setup();
  return type;
})();
