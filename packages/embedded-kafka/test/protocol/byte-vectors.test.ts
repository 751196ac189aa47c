/** Encodings checked byte by byte against the layouts in the Kafka protocol guide (computed by hand). */
import { describe, expect, it } from 'vitest';
import { ApiKeys, decodeRequest, decodeRequestHeader, encodeRequest, encodeResponse, ProtocolError } from '../../src/protocol/index.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('known byte vectors', () => {
  it('ApiVersions v0 request: header v1, empty body', () => {
    // size 11 | api key 18 | version 0 | correlation 1 | client id "a" (int16 length)
    expect(encodeRequest(ApiKeys.ApiVersions, 0, 1, 'a', {})).toEqual(hex('0000000b 0012 0000 00000001 0001 61'));
  });

  it('Metadata v0 request for topic "a" with a null client id', () => {
    // size 17 | key 3 | v0 | correlation 7 | client id null (-1) | topics: int32 count 1, string "a"
    const bytes = hex('00000011 0003 0000 00000007 ffff 00000001 0001 61');
    expect(encodeRequest(ApiKeys.Metadata, 0, 7, null, { topics: [{ name: 'a' }] })).toEqual(bytes);
    const frame = bytes.subarray(4);
    const h = decodeRequestHeader(frame);
    expect(h).toEqual({ apiKey: 3, apiVersion: 0, correlationId: 7, clientId: null, headerLength: 10 });
    expect(decodeRequest(3, 0, frame, h.headerLength)).toEqual({ topics: [{ name: 'a', topicId: Buffer.alloc(16) }], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  });

  it('ApiVersions v3 request: header v2 (classic client id + tags), compact body strings', () => {
    const bytes = hex(
      '0000001b' + // size 27
        '0012 0003 00000002' + // key 18, v3, correlation 2
        '0004 6b636174' + // client id "kcat" keeps its int16 length in header v2
        '00' + // header tagged fields: none
        '05 6b636174' + // ClientSoftwareName "kcat": compact length 4+1
        '06 312e372e31' + // ClientSoftwareVersion "1.7.1"
        '00', // body tagged fields: none
    );
    expect(encodeRequest(18, 3, 2, 'kcat', { clientSoftwareName: 'kcat', clientSoftwareVersion: '1.7.1' })).toEqual(bytes);
    const frame = bytes.subarray(4);
    const h = decodeRequestHeader(frame);
    expect(h.headerLength).toBe(15);
    expect(decodeRequest(18, 3, frame, h.headerLength)).toEqual({ clientSoftwareName: 'kcat', clientSoftwareVersion: '1.7.1' });
  });

  it('ApiVersions v3 response keeps response header v0 (no header tag byte)', () => {
    const body = { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }], throttleTimeMs: 0 };
    expect(encodeResponse(18, 3, 2, body)).toEqual(
      hex('00000013 00000002 0000 02 0012 0000 0003 00 00000000 00'),
    );
    // a non-default tagged field: tag count 1, tag 3 (ZkMigrationReady), size 1, true
    expect(encodeResponse(18, 3, 2, { ...body, zkMigrationReady: true })).toEqual(
      hex('00000016 00000002 0000 02 0012 0000 0003 00 00000000 01 03 01 01'),
    );
  });

  it('Metadata v9 response uses response header v1 and JSON defaults for absent fields', () => {
    // correlation 5 | header tags 0 | throttle 0 | brokers [] | cluster id null | controller -1 |
    // topics [] | cluster authorized operations INT32_MIN | tags 0
    expect(encodeResponse(3, 9, 5, {})).toEqual(hex('00000015 00000005 00 00000000 01 00 ffffffff 01 80000000 00'));
  });

  it('ApiVersions v0 error reply layout (what librdkafka needs to step down)', () => {
    const out = encodeResponse(18, 0, 9, { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }] });
    expect(out).toEqual(hex('00000010 00000009 0023 00000001 0012 0000 0003'));
  });

  it('rejects unknown keys, unsupported versions and truncated frames with ProtocolError', () => {
    expect(() => encodeResponse(999, 0, 1, {})).toThrow(ProtocolError);
    expect(() => encodeResponse(18, 99, 1, {})).toThrow(ProtocolError);
    const frame = encodeRequest(3, 0, 7, null, { topics: [{ name: 'abc' }] }).subarray(4);
    expect(() => decodeRequest(3, 0, frame.subarray(0, frame.length - 1), 10)).toThrow(ProtocolError);
    expect(() => decodeRequestHeader(Buffer.from([0, 3]))).toThrow(ProtocolError);
    // a huge array count must not allocate: it is rejected against the remaining bytes
    expect(() => decodeRequest(3, 0, hex('7fffffff'), 0)).toThrow(ProtocolError);
  });

  it('decodes the header of a version it does not support (so the broker can answer UNSUPPORTED_VERSION)', () => {
    // ApiVersions v9 from a future client: flexible header assumed, client id + empty tag section
    const frame = hex('0012 0009 0000002a 0001 78 00');
    expect(decodeRequestHeader(frame)).toEqual({ apiKey: 18, apiVersion: 9, correlationId: 42, clientId: 'x', headerLength: 12 });
    expect(() => decodeRequest(18, 9, frame, 12)).toThrow(ProtocolError);
  });
});
