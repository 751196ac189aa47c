import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ArrowBatchBuilder, EnvelopeDecoder, SchemaRegistry, arrowSchemaFor, encodeRecord, unifySchemas } from '@weir/formats';
import { ORDER_PROTO_V2, sampleOrder, tempDir, writeSchemas } from './helpers.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

async function decodedOrders(n: number, orderProto?: string) {
  const dir = await tempDir();
  await writeSchemas(dir, orderProto);
  const registry = await SchemaRegistry.open({ dir });
  const snap = registry.current();
  const { records } = new EnvelopeDecoder(snap).decodeBatch(Array.from({ length: n }, (_, i) => encodeRecord(snap, 'orders', sampleOrder(i))));
  return { registry, snap, messages: records.map((r) => r.value), dir };
}

describe('protobuf -> Arrow', () => {
  it('maps nested, repeated, map, enum, int64 and Timestamp fields', async () => {
    const { snap } = await decodedOrders(0);
    const schema = arrowSchemaFor(snap.typeOf('orders')!);
    expect(schema.fields.map((f) => `${f.name}: ${String(f.type)}${f.nullable ? '?' : ''}`)).toEqual([
      'id: Int64?',
      'customer: Utf8?',
      'status: Utf8?',
      'created: Timestamp<MICROSECOND, UTC>?',
      'address: Struct<{city:Utf8, zip:Int32}>?',
      'items: List<Struct<{sku:Utf8, qty:Int32, price:Float64}>>?',
      'tags: List<Utf8>?',
      'counters: Map<{key:Utf8, value:Int64}>?',
      'big: Uint64?',
      'blob: Binary?',
      'paid: Bool?',
      'score: Float32?',
    ]);
    expect(schema.metadata.get('weir.protobuf.type')).toBe('shop.Order');
    const dict = arrowSchemaFor(snap.typeOf('orders')!, { enums: 'dictionary', timestampUnit: 'ms' });
    expect(String(dict.fields[2]!.type)).toBe('Dictionary<Int32, Utf8>');
    expect(String(dict.fields[3]!.type)).toBe('Timestamp<MILLISECOND, UTC>');
  });

  it('builds record batches with exact values', async () => {
    const { snap, messages } = await decodedOrders(6);
    const batch = new ArrowBatchBuilder(snap.typeOf('orders')!).build(messages);
    expect(batch.numRows).toBe(6);
    const table = new arrow.Table([batch]);
    const id = table.getChild('id')!;
    expect(id.get(5)).toBe(2n ** 60n + 5n); // beyond 2^53: exact
    expect(table.getChild('big')!.get(1)).toBe(2n ** 63n + 1n);
    expect(table.getChild('status')!.toArray()).toEqual(['UNKNOWN', 'NEW', 'SHIPPED', 'UNKNOWN', 'NEW', 'SHIPPED']);
    // Timestamp: seconds + nanos, exact microseconds
    const created = table.getChild('created')!.data[0]!.values as BigInt64Array;
    expect(created[3]).toBe(BigInt(1_700_000_003) * 1_000_000n + BigInt(Math.floor((3 * 1_000_123) / 1000)));
    expect(table.getChild('address')!.get(0)).toBeNull(); // unset message -> null struct
    expect(table.getChild('address')!.get(1)!.toJSON()).toEqual({ city: 'city-1', zip: 10001 });
    expect(table.getChild('items')!.get(2)!.toArray().map((r: any) => r.toJSON())).toEqual([
      { sku: 'sku-0', qty: 1, price: 1.5 },
      { sku: 'sku-1', qty: 2, price: 3 },
    ]);
    expect([...table.getChild('tags')!.get(2)!]).toEqual(['a', 't2']);
    expect(table.getChild('tags')!.get(1)!.length).toBe(0); // proto3 repeated: empty, not null
    expect(table.getChild('counters')!.get(1)!.toJSON()).toEqual({ views: 10n, clicks: -1n });
    expect(table.getChild('counters')!.get(0)!.size).toBe(0);
    expect([...(table.getChild('blob')!.get(4) as Uint8Array)]).toEqual([4, 1, 2]);
  });

  it('schema evolution: a field added in a newer version is a new nullable column', async () => {
    const { registry, snap: v1, messages: v1Messages, dir } = await decodedOrders(3);
    await writeFile(join(dir, 'order.proto'), ORDER_PROTO_V2);
    const { snapshot: v2 } = await registry.reload();
    expect(v2.version).toBe(2);
    const v2Messages = new EnvelopeDecoder(v2).decodeBatch([encodeRecord(v2, 'orders', { ...sampleOrder(9), note: 'hello', address: { city: 'x', zip: 1, country: 'NL' } })]).records.map((r) => r.value);
    const builder = new ArrowBatchBuilder(v2.typeOf('orders')!);
    const batch = builder.build([...v1Messages, ...v2Messages]);
    const table = new arrow.Table([batch]);
    expect(table.schema.fields.map((f) => f.name)).toContain('note');
    expect(table.getChild('note')!.toArray()).toEqual([null, null, null, 'hello']);
    expect(table.getChild('address')!.get(1)!.toJSON()).toEqual({ city: 'city-1', zip: 10001, country: null });
    expect(table.getChild('address')!.get(3)!.toJSON()).toEqual({ city: 'x', zip: 1, country: 'NL' });

    const older = arrowSchemaFor(v1.typeOf('orders')!);
    const unified = unifySchemas(older, builder.schema);
    expect(unified.fields.map((f) => f.name)).toEqual([...older.fields.map((f) => f.name), 'note']);
    expect(unified.fields.at(-1)!.nullable).toBe(true);
    expect(String(unified.fields.find((f) => f.name === 'address')!.type)).toBe('Struct<{city:Utf8, zip:Int32, country:Utf8}>');
    const changed = new arrow.Schema([new arrow.Field('id', new arrow.Utf8(), true)]);
    expect(() => unifySchemas(older, changed)).toThrow(/column 'id' changed type/);
  });

  it('rejects recursive message types with a clear error', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'tree.proto'), 'syntax = "proto3"; package t; message Node { string name = 1; repeated Node children = 2; }');
    const registry = await SchemaRegistry.open({ dir, streams: { tree: 't.Node' } });
    expect(() => arrowSchemaFor(registry.current().typeOf('tree')!)).toThrow(/recursive message type t\.Node/);
  });
});
