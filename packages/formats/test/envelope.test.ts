import { describe, expect, it } from 'vitest';
import { Pipeline, collectionSource, heapStateBackend, memorySink, silentLogger, type DeadLetter } from '@weir/core';
import {
  COMPRESSIONS,
  EnvelopeDecoder,
  SchemaRegistry,
  encodeEnvelope,
  encodeRecord,
  parseEnvelope,
  type DecodedRecord,
} from '@weir/formats';
import { sampleOrder, tempDir, writeSchemas } from './helpers.js';

async function openRegistry(): Promise<SchemaRegistry> {
  const dir = await tempDir();
  await writeSchemas(dir);
  return SchemaRegistry.open({ dir });
}

describe('envelopes', () => {
  it('routes every compression and both payload formats to the stream type', async () => {
    const registry = await openRegistry();
    const snap = registry.current();
    const inputs: Uint8Array[] = [];
    const expected: Array<[string, string, string]> = [];
    let i = 0;
    for (const compression of COMPRESSIONS) {
      for (const format of ['protobuf', 'json'] as const) {
        i++;
        inputs.push(encodeRecord(snap, 'orders', sampleOrder(i), { compression, format }));
        expected.push(['orders', (2n ** 60n + BigInt(i)).toString(), `customer-${i % 7}`]);
        inputs.push(encodeRecord(snap, 'clicks', { user: `u${i}`, page: '/p', ts: String(i) }, { compression, format }));
        expected.push(['clicks', String(i), `u${i}`]);
      }
    }
    const decoder = new EnvelopeDecoder(snap);
    const { records, deadLetters } = decoder.decodeBatch(inputs);
    expect(deadLetters).toEqual([]);
    expect(
      records.map((r) => [r.stream, String(r.value[r.stream === 'orders' ? 'id' : 'ts']), r.value[r.stream === 'orders' ? 'customer' : 'user']]),
    ).toEqual(expected);
    expect(records[0]!.messageType).toBe('shop.Order');
    expect(records[1]!.messageType).toBe('web.Click');
    expect(records.every((r) => r.schemaVersion === 1 && r.writerSchemaVersion === 1)).toBe(true);
    // nested values survive every codec
    const order = records.find((r) => r.stream === 'orders' && r.value.items.length === 2)!;
    expect(order.value.items.map((it: { sku: string; qty: number }) => [it.sku, it.qty])).toEqual([
      ['sku-0', 1],
      ['sku-1', 2],
    ]);
    expect(decoder.stats.decoded).toBe(inputs.length);
  });

  it('accepts a JSON envelope', async () => {
    const registry = await openRegistry();
    const json = Buffer.from(JSON.stringify({ stream: 'clicks', schemaVersion: 7, payload: { user: 'ann', page: '/', ts: '9007199254740993' } }));
    const { records } = new EnvelopeDecoder(registry.current()).decodeBatch([json]);
    expect(records).toHaveLength(1);
    expect(records[0]!.value.user).toBe('ann');
    expect(records[0]!.value.ts.toString()).toBe('9007199254740993');
    expect(records[0]!.writerSchemaVersion).toBe(7);
  });

  it('turns bad input into counted dead letters with reason and position, never throwing', async () => {
    const registry = await openRegistry();
    const snap = registry.current();
    const good = encodeRecord(snap, 'clicks', { user: 'ok', page: '/', ts: '1' });
    const orderBytes = encodeRecord(snap, 'orders', sampleOrder(3));
    const wrongCodec = encodeEnvelope({ stream: 'orders', payload: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) });
    // claims zstd but carries a gzip frame
    const zstdLie = Buffer.from(encodeEnvelope({ stream: 'clicks', compression: 'gzip', payload: Buffer.from('x') }));
    const lie = patchCompression(zstdLie, 2);
    const inputs = [
      { bytes: good, position: { split: 'p0', offset: 0 } },
      { bytes: new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), position: { split: 'p0', offset: 1 } },
      { bytes: encodeEnvelope({ stream: 'payments', payload: new Uint8Array([8, 1]) }), position: { split: 'p0', offset: 2 } },
      { bytes: lie, position: { split: 'p0', offset: 3 } },
      { bytes: patchCompression(Buffer.from(encodeEnvelope({ stream: 'clicks', compression: 'lz4', payload: Buffer.from('y') })), 4), position: { split: 'p0', offset: 4 } },
      { bytes: wrongCodec, position: { split: 'p0', offset: 5 } },
      { bytes: Buffer.from('{"stream": "clicks", "payload": '), position: { split: 'p0', offset: 6 } },
      { bytes: orderBytes, position: { split: 'p0', offset: 7 } },
      { bytes: null as unknown as Uint8Array, position: { split: 'p0', offset: 8 } }, // e.g. a Kafka tombstone
      new Uint8Array(0),
    ];
    const decoder = new EnvelopeDecoder(() => registry.current());
    const { records, deadLetters } = decoder.decodeBatch(inputs);
    expect(records.map((r) => r.position)).toEqual([
      { split: 'p0', offset: 0 },
      { split: 'p0', offset: 7 },
    ]);
    expect(deadLetters.map((d) => [d.reason, d.position, d.stream])).toEqual([
      ['bad-envelope', { split: 'p0', offset: 1 }, undefined],
      ['unknown-stream', { split: 'p0', offset: 2 }, 'payments'],
      ['decompression-failed', { split: 'p0', offset: 3 }, 'clicks'],
      ['decompression-failed', { split: 'p0', offset: 4 }, 'clicks'],
      ['bad-payload', { split: 'p0', offset: 5 }, 'orders'],
      ['bad-envelope', { split: 'p0', offset: 6 }, undefined],
      ['bad-envelope', { split: 'p0', offset: 8 }, undefined],
      ['bad-envelope', undefined, undefined],
    ]);
    expect(deadLetters[1]!.error).toMatch(/stream 'payments' is not registered/);
    expect(deadLetters[2]!.error).toMatch(/^decompression-failed: zstd payload/);
    expect(deadLetters[3]!.error).toMatch(/^decompression-failed: snappy payload/);
    expect(deadLetters[0]!.bytes).toBe((inputs[1] as { bytes: Uint8Array }).bytes);
    expect(decoder.stats).toEqual({
      decoded: 2,
      deadLetters: 8,
      byReason: { 'bad-envelope': 4, 'unknown-stream': 1, 'decompression-failed': 2, 'bad-payload': 1 },
    });
  });

  it('parse step: a Weir map step sends undecodable records to the dead letters', async () => {
    const registry = await openRegistry();
    const snap = registry.current();
    const inputs = [
      encodeRecord(snap, 'clicks', { user: 'a', page: '/1', ts: '1' }, { compression: 'zstd' }),
      encodeEnvelope({ stream: 'unknown', payload: new Uint8Array([1]) }),
      encodeRecord(snap, 'clicks', { user: 'b', page: '/2', ts: '2' }, { compression: 'snappy' }),
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
    ];
    const out = memorySink<string>();
    const dead = memorySink<DeadLetter>();
    const parse = parseEnvelope(registry);
    const p = new Pipeline({ name: 'parse', checkpoints: { dir: await tempDir(), intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger });
    p.source('bytes', collectionSource(inputs))
      .map('parse', parse)
      .map('user', (r: DecodedRecord) => `${r.value.user}@${r.value.page}`)
      .sink('out', out);
    p.deadLetters().sink('dead', dead);
    const result = await p.run();
    expect(result.outcome).toBe('finished');
    expect([...out.committed].sort()).toEqual(['a@/1', 'b@/2']);
    expect(dead.committed.map((d) => [d.step, d.error.split(':')[0]]).sort()).toEqual([
      ['parse', 'bad-envelope'],
      ['parse', 'unknown-stream'],
    ]);
    expect(parse.decoder.stats.deadLetters).toBe(2);
  });

  it('parse step: a record without a value is a counted bad-envelope', async () => {
    const parse = parseEnvelope(await openRegistry());
    expect(() => parse({ value: null })).toThrow(expect.objectContaining({ name: 'EnvelopeDecodeError', reason: 'bad-envelope' }));
    expect(parse.decoder.stats.byReason['bad-envelope']).toBe(1);
  });
});

/** Rewrite the compression field (tag 3, varint) of an encoded envelope. */
function patchCompression(bytes: Buffer, compression: number): Buffer {
  const copy = Buffer.from(bytes);
  for (let i = 0; i < copy.length - 1; i++) {
    if (copy[i] === 0x18) {
      copy[i + 1] = compression;
      return copy;
    }
  }
  throw new Error('no compression field');
}
