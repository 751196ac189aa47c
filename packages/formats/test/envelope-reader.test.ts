import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs';
import { COMPRESSIONS, ENVELOPE_PROTO, EnvelopeDecoder, SchemaRegistry, encodeEnvelope } from '@weir/formats';
import { tempDir, writeSchemas } from './helpers.js';

// The decoder reads envelopes with a hand-written reader; protobufjs's generated decoder is the oracle.
const oracle = protobuf.parse(ENVELOPE_PROTO, { keepCase: true }).root.lookupType('weir.formats.Envelope');

describe('envelope reader', () => {
  it('reads what protobufjs writes, with unknown fields from a newer envelope skipped', async () => {
    const dir = await tempDir();
    await writeSchemas(dir);
    const snap = (await SchemaRegistry.open({ dir })).current();
    const click = snap.typeOf('clicks')!;
    const payload = click.encode(click.fromObject({ user: 'ünï', page: '/x', ts: '123' })).finish();
    // a future envelope: extra varint, fixed64, fixed32 and bytes fields around the known ones
    const w = protobuf.Writer.create();
    w.uint32((9 << 3) | 0).uint64(2 ** 40);
    w.uint32((1 << 3) | 2).string('clicks');
    w.uint32((10 << 3) | 1).fixed64(7);
    w.uint32((2 << 3) | 0).uint32(300);
    w.uint32((11 << 3) | 5).fixed32(1);
    w.uint32((5 << 3) | 2).bytes(payload);
    w.uint32((12 << 3) | 2).bytes(new Uint8Array([1, 2, 3]));
    const bytes = w.finish();
    const expected = oracle.decode(bytes) as unknown as { stream: string; schema_version: number };
    const { records, deadLetters } = new EnvelopeDecoder(snap).decodeBatch([bytes]);
    expect(deadLetters).toEqual([]);
    expect([records[0]!.stream, records[0]!.writerSchemaVersion]).toEqual([expected.stream, expected.schema_version]);
    expect(records[0]!.value.user).toBe('ünï');
  });

  it('agrees with protobufjs on every truncation of valid envelopes: both fail or both read the same stream', async () => {
    const dir = await tempDir();
    await writeSchemas(dir);
    const snap = (await SchemaRegistry.open({ dir })).current();
    const decoder = new EnvelopeDecoder(snap);
    for (const compression of COMPRESSIONS) {
      const full = encodeEnvelope({ stream: 'clicks', schemaVersion: 3, compression, payload: new Uint8Array(40).fill(7) });
      for (let cut = 0; cut < full.length; cut++) {
        const bytes = full.subarray(0, cut);
        let oracleStream: string | undefined;
        try {
          oracleStream = (oracle.decode(bytes) as unknown as { stream: string }).stream;
        } catch {
          oracleStream = undefined;
        }
        const { records, deadLetters } = decoder.decodeBatch([bytes]);
        const dead = deadLetters[0];
        if (oracleStream === undefined) expect(dead?.reason, `cut ${cut}`).toBe('bad-envelope');
        else expect(records[0]?.stream ?? dead?.stream ?? '', `cut ${cut}`).toBe(oracleStream);
      }
    }
  });
});
