import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach } from 'vitest';

const dirs: string[] = [];

/** A fresh temp directory removed after the test. */
export async function tempDir(prefix = 'weir-formats-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

export const ORDER_PROTO_V1 = `
syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";

enum Status { UNKNOWN = 0; NEW = 1; SHIPPED = 2; }
message Address { string city = 1; int32 zip = 2; }
message Item { string sku = 1; int32 qty = 2; double price = 3; }
message Order {
  int64 id = 1;
  string customer = 2;
  Status status = 3;
  google.protobuf.Timestamp created = 4;
  Address address = 5;
  repeated Item items = 6;
  repeated string tags = 7;
  map<string, int64> counters = 8;
  uint64 big = 9;
  bytes blob = 10;
  bool paid = 11;
  float score = 12;
}
`;

/** V2 adds `note` (field 13) and `address.country` (field 3). */
export const ORDER_PROTO_V2 = ORDER_PROTO_V1.replace('float score = 12;', 'float score = 12;\n  string note = 13;').replace(
  'int32 zip = 2; }',
  'int32 zip = 2; string country = 3; }',
);

export const CLICK_PROTO = `
syntax = "proto3";
package web;
message Click { string user = 1; string page = 2; int64 ts = 3; }
`;

/** Write the shop/web schemas and a streams.json into `dir`. */
export async function writeSchemas(dir: string, orderProto = ORDER_PROTO_V1): Promise<void> {
  await writeFile(join(dir, 'order.proto'), orderProto);
  await writeFile(join(dir, 'click.proto'), CLICK_PROTO);
  await writeFile(join(dir, 'streams.json'), JSON.stringify({ orders: 'shop.Order', clicks: 'web.Click' }));
}

/** A sample order as a plain object (protobufjs fromObject shape). */
export function sampleOrder(i: number): Record<string, unknown> {
  return {
    id: (2n ** 60n + BigInt(i)).toString(),
    customer: `customer-${i % 7}`,
    status: i % 3,
    created: { seconds: 1_700_000_000 + i, nanos: (i % 1000) * 1_000_123 },
    address: i % 5 === 0 ? undefined : { city: `city-${i % 4}`, zip: 10_000 + i },
    items: Array.from({ length: i % 3 }, (_, k) => ({ sku: `sku-${k}`, qty: k + 1, price: 1.5 * (k + 1) })),
    tags: i % 2 === 0 ? ['a', `t${i}`] : [],
    counters: i % 4 === 0 ? {} : { views: String(i * 10), clicks: String(-i) },
    big: (2n ** 63n + BigInt(i)).toString(),
    blob: new Uint8Array([i & 255, 1, 2]),
    paid: i % 2 === 1,
    score: i / 4,
  };
}

/** Run SQL in an in-memory DuckDB and return rows as JS objects. */
export async function duckdb(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
