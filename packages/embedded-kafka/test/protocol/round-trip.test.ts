import { describe, expect, it } from 'vitest';
import {
  apiSchemas,
  ApiKeys,
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  encodeRequest,
  encodeResponse,
} from '../../src/protocol/index.js';
import { emptyEncodeExpected, loadApiPairs, structSample, versionsOf, type Variant } from './schema-samples.js';

const pairs = loadApiPairs();
const variants: Variant[] = ['full', 'nulls'];

function frameOf(sized: Buffer): Buffer {
  expect(sized.readInt32BE(0)).toBe(sized.length - 4);
  return sized.subarray(4);
}

describe('API registry', () => {
  it('knows every request schema, with versions and first flexible version', () => {
    expect(apiSchemas.size).toBe(pairs.length);
    for (const p of pairs) {
      const info = apiSchemas.get(p.apiKey)!;
      expect(info).toEqual({
        apiKey: p.apiKey,
        name: p.name,
        minVersion: p.request.valid.lo,
        maxVersion: p.request.valid.hi,
        flexibleMin: p.request.flexible ? p.request.flexible.lo : Infinity,
      });
      expect((ApiKeys as Record<string, number>)[p.name]).toBe(p.apiKey);
    }
    expect(ApiKeys.Produce).toBe(0);
    expect(ApiKeys.ApiVersions).toBe(18);
  });
});

describe.each(pairs.map((p) => [p.name, p] as const))('%s round trip', (_name, p) => {
  for (const v of versionsOf(p.request)) {
    it(`request v${v}`, () => {
      for (const variant of variants) {
        const s = structSample(p.request.root, v, 1, variant);
        const sized = encodeRequest(p.apiKey, v, 4242, variant === 'full' ? 'client-é' : null, s.input as object);
        const frame = frameOf(sized);
        const h = decodeRequestHeader(frame);
        expect(h).toMatchObject({ apiKey: p.apiKey, apiVersion: v, correlationId: 4242, clientId: variant === 'full' ? 'client-é' : null });
        expect(decodeRequest(p.apiKey, v, frame, h.headerLength)).toEqual(s.expected);
      }
      const empty = frameOf(encodeRequest(p.apiKey, v, 1, null, {}));
      expect(decodeRequest(p.apiKey, v, empty, decodeRequestHeader(empty).headerLength)).toEqual(emptyEncodeExpected(p.request.root, v));
    });
  }
  for (const v of versionsOf(p.response)) {
    it(`response v${v}`, () => {
      for (const variant of variants) {
        const s = structSample(p.response.root, v, 2, variant);
        const frame = frameOf(encodeResponse(p.apiKey, v, -7, s.input as object));
        const decoded = decodeResponse(p.apiKey, v, frame);
        expect(decoded.correlationId).toBe(-7);
        expect(decoded.body).toEqual(s.expected);
      }
      const empty = frameOf(encodeResponse(p.apiKey, v, 3, {}));
      expect(decodeResponse(p.apiKey, v, empty).body).toEqual(emptyEncodeExpected(p.response.root, v));
    });
  }
});
