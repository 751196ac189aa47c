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

  it('one builder over many batches (and after a batch that threw) builds what a fresh builder builds', async () => {
    const { snap, messages } = await decodedOrders(1100); // past the builders' initial 1024 slots
    const type = snap.typeOf('orders')!;
    const ipc = (batch: arrow.RecordBatch) => Buffer.from(arrow.tableToIPC(new arrow.Table([batch]))).toString('base64');
    const reused = new ArrowBatchBuilder(type);
    const batches = [messages, messages.slice(7, 12), [...messages.slice(0, 3), {}, ...messages.slice(3, 5)]];
    expect(ipc(reused.build(batches[0]!))).toEqual(ipc(new ArrowBatchBuilder(type).build(batches[0]!)));
    expect(ipc(reused.build(batches[1]!))).toEqual(ipc(new ArrowBatchBuilder(type).build(batches[1]!)));
    expect(() => reused.build([...messages.slice(0, 2), { id: 'not an int64' }])).toThrow();
    expect(ipc(reused.build(batches[2]!))).toEqual(ipc(new ArrowBatchBuilder(type).build(batches[2]!)));
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
    // nested: the new Address field also reaches a list of addresses
    const listOf = (fields: arrow.Field[]) => new arrow.Schema([new arrow.Field('homes', new arrow.List(new arrow.Field('item', new arrow.Struct(fields), true)), true)]);
    const city = new arrow.Field('city', new arrow.Utf8(), true);
    const country = new arrow.Field('country', new arrow.Utf8(), true);
    expect(String(unifySchemas(listOf([city]), listOf([city, country])).fields[0]!.type)).toBe('List<Struct<{city:Utf8, country:Utf8}>>');
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

describe('column builders', () => {
  it('dictionary enums, millisecond timestamps, wrappers, int64 from numbers and strings, nulls', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'm.proto'),
      `syntax = "proto3"; package m;
       import "google/protobuf/timestamp.proto"; import "google/protobuf/wrappers.proto";
       enum Color { RED = 0; GREEN = 1; }
       message M { Color color = 1; google.protobuf.Timestamp at = 2; google.protobuf.StringValue label = 3;
                   int64 n = 4; map<int64, string> names = 5; repeated int64 ns = 6; }`,
    );
    const registry = await SchemaRegistry.open({ dir, streams: { m: 'm.M' } });
    const type = registry.current().typeOf('m')!;
    const values = [
      { color: 1, at: { seconds: 1, nanos: 999_999_999 }, label: { value: 'x' }, n: -5, names: { '7': 'seven' }, ns: ['9007199254740993', -1] },
      { color: 0, n: '-9223372036854775808', names: {}, ns: [] },
      { color: 7, at: { seconds: -1, nanos: 0 }, label: null, n: 2 ** 40 + 1 },
    ];
    // through the wire, as the decoder delivers them (int64 as Long, map keys as long hashes)
    const decoded = values.map((v) => type.decode(type.encode(type.fromObject(v)).finish()));
    const table = new arrow.Table([new ArrowBatchBuilder(type, { enums: 'dictionary', timestampUnit: 'ms' }).build([...decoded, ...values, {}])]);
    expect(String(table.schema.fields.map((f) => String(f.type)))).toBe(
      'Dictionary<Int32, Utf8>,Timestamp<MILLISECOND, UTC>,Utf8,Int64,Map<{key:Int64, value:Utf8}>,List<Int64>',
    );
    for (const offset of [0, 3]) {
      expect(table.getChild('color')!.get(offset)).toBe('GREEN');
      expect(table.getChild('color')!.get(offset + 1)).toBe('RED');
      expect(table.getChild('color')!.get(offset + 2)).toBe('7'); // unknown enum number kept as its number
      expect((table.getChild('at')!.data[0]!.values as BigInt64Array)[offset]).toBe(1999n);
      expect((table.getChild('at')!.data[0]!.values as BigInt64Array)[offset + 2]).toBe(-1000n);
      expect(table.getChild('label')!.get(offset)).toBe('x');
      expect(table.getChild('label')!.get(offset + 2)).toBeNull();
      expect(table.getChild('n')!.get(offset)).toBe(-5n);
      expect(table.getChild('n')!.get(offset + 1)).toBe(-(2n ** 63n));
      expect(table.getChild('n')!.get(offset + 2)).toBe(2n ** 40n + 1n);
      expect(table.getChild('names')!.get(offset)!.toJSON()).toEqual({ '7': 'seven' });
      expect([...table.getChild('ns')!.get(offset)!]).toEqual([9007199254740993n, -1n]);
    }
    expect(table.getChild('at')!.get(1)).toBeNull(); // unset Timestamp after the wire: null
    const empty = 6;
    expect(['color', 'at', 'label', 'n', 'names', 'ns'].map((c) => table.getChild(c)!.get(empty))).toEqual([null, null, null, null, null, null]);
  });
});

describe('field presence', () => {
  it('oneof members and proto3 optional fields are null when unset, implicit scalars keep their default', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'x.proto'), 'syntax = "proto3"; package x; message M { optional int32 a = 1; int32 b = 2; oneof k { string s = 3; int64 n = 4; } }');
    const registry = await SchemaRegistry.open({ dir, streams: { x: 'x.M' } });
    const type = registry.current().typeOf('x')!;
    const messages = [{}, { a: 0, b: 0 }, { a: 5, s: 'q' }, { n: 7 }].map((o) => type.decode(type.encode(type.fromObject(o)).finish()));
    const table = new arrow.Table([new ArrowBatchBuilder(type).build(messages)]);
    expect([...table].map((r) => r.toJSON())).toEqual([
      { a: null, b: 0, s: null, n: null },
      { a: 0, b: 0, s: null, n: null },
      { a: 5, b: 0, s: 'q', n: null },
      { a: null, b: 0, s: null, n: 7n },
    ]);
  });
});
