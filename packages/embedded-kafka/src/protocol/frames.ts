/**
 * Whole-frame entry points: request/response headers plus the generated body codecs.
 * A "frame" is one request or response without its 4-byte size prefix.
 */
import { generatedApi } from './api-schemas.js';
import type { GeneratedApi } from './generated/registry.js';
import { decodeRequestHeader as decodeHeaderFields } from './generated/request-header.js';
import { ProtocolError } from './protocol-error.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

const API_VERSIONS_KEY = 18;

/** Fields of a request header, plus where the body starts. */
export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Bytes taken by the header: the body starts at this offset of the frame. */
  headerLength: number;
}

function codecFor(apiKey: number, apiVersion: number): GeneratedApi {
  const api = generatedApi(apiKey);
  if (!api) throw new ProtocolError(`unknown API key ${apiKey}`);
  if (apiVersion < api.minVersion || apiVersion > api.maxVersion) {
    throw new ProtocolError(`unsupported ${api.name} version ${apiVersion} (${api.minVersion}-${api.maxVersion})`);
  }
  return api;
}

/** Run a decoder, turning any low-level failure into a ProtocolError. */
function guard<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new ProtocolError(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Request header version: 2 for flexible request versions, else 1. Unknown keys get 1. */
function requestHeaderVersion(apiKey: number, apiVersion: number): number {
  const api = generatedApi(apiKey);
  return api && apiVersion >= api.requestFlexibleMin ? 2 : 1;
}

/** Response header version: 1 for flexible versions, except ApiVersions which always uses 0. */
function responseHeaderVersion(api: GeneratedApi, apiVersion: number): number {
  return api.apiKey !== API_VERSIONS_KEY && apiVersion >= api.responseFlexibleMin ? 1 : 0;
}

/**
 * Decode the request header of one complete request frame (frame = bytes after the 4-byte size prefix).
 * Does not reject unknown keys or versions (the broker still needs the correlation id to answer);
 * a flexible header is assumed when the version is at or above the API's first flexible version.
 * @throws ProtocolError when the frame is too short.
 */
export function decodeRequestHeader(frame: Buffer): RequestHeader {
  return guard('request header', () => {
    if (frame.length < 4) throw new ProtocolError('frame shorter than api key and version');
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    const r = new Reader(frame);
    const h = decodeHeaderFields(r, requestHeaderVersion(apiKey, apiVersion));
    return { apiKey, apiVersion, correlationId: h.correlationId, clientId: h.clientId, headerLength: r.pos };
  });
}

/**
 * Decode the request body that follows the header.
 * @throws ProtocolError on malformed input or an unknown key/version.
 */
export function decodeRequest(apiKey: number, apiVersion: number, frame: Buffer, bodyOffset: number): any {
  const api = codecFor(apiKey, apiVersion);
  return guard(`${api.name} v${apiVersion} request`, () => api.decodeRequest(new Reader(frame, bodyOffset), apiVersion));
}

/**
 * Encode a full response frame INCLUDING the 4-byte size prefix and the right response header.
 * Absent body properties are encoded as their schema defaults.
 */
export function encodeResponse(apiKey: number, apiVersion: number, correlationId: number, body: object): Buffer {
  const api = codecFor(apiKey, apiVersion);
  const w = new Writer(256);
  w.int32(0); // size, patched below
  w.int32(correlationId);
  if (responseHeaderVersion(api, apiVersion) === 1) w.uvarint(0); // no header tags
  guard(`${api.name} v${apiVersion} response`, () => api.encodeResponse(w, apiVersion, body));
  return withSizePrefix(w);
}

/** Encode a full request frame (client direction) including the 4-byte size prefix. */
export function encodeRequest(apiKey: number, apiVersion: number, correlationId: number, clientId: string | null, body: object): Buffer {
  const api = codecFor(apiKey, apiVersion);
  const w = new Writer(256);
  w.int32(0); // size, patched below
  w.int16(apiKey);
  w.int16(apiVersion);
  w.int32(correlationId);
  w.nullableString(clientId, false); // the header's client id is never compact
  if (apiVersion >= api.requestFlexibleMin) w.uvarint(0); // no header tags
  guard(`${api.name} v${apiVersion} request`, () => api.encodeRequest(w, apiVersion, body));
  return withSizePrefix(w);
}

/** Decode a response frame (client direction; frame without the size prefix). */
export function decodeResponse(apiKey: number, apiVersion: number, frame: Buffer): { correlationId: number; body: any } {
  const api = codecFor(apiKey, apiVersion);
  return guard(`${api.name} v${apiVersion} response`, () => {
    const r = new Reader(frame);
    const correlationId = r.int32();
    if (responseHeaderVersion(api, apiVersion) === 1) r.skipTaggedFields();
    return { correlationId, body: api.decodeResponse(r, apiVersion) };
  });
}

function withSizePrefix(w: Writer): Buffer {
  const out = w.finish();
  out.writeInt32BE(out.length - 4, 0);
  return out;
}
