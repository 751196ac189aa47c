import { createServer, type Server } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import 'protobufjs/ext/descriptor/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { SchemaRegistry, type SchemaSnapshot } from '@weir/formats';
import { CLICK_PROTO, ORDER_PROTO_V1, ORDER_PROTO_V2, tempDir, writeSchemas } from './helpers.js';

const closers: Array<() => void> = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

function waitForVersion(registry: SchemaRegistry, version: number, timeoutMs = 5000): Promise<SchemaSnapshot> {
  return new Promise((resolve, reject) => {
    if (registry.current().version >= version) return resolve(registry.current());
    const timer = setTimeout(() => reject(new Error(`no version ${version} within ${timeoutMs} ms (at ${registry.current().version})`)), timeoutMs);
    const off = registry.onChange((s) => {
      if (s.version >= version) {
        clearTimeout(timer);
        off();
        resolve(s);
      }
    });
  });
}

describe('schema registry', () => {
  it('loads .proto files and streams.json from a directory, with well-known imports', async () => {
    const dir = await tempDir();
    await writeSchemas(dir);
    const registry = await SchemaRegistry.open({ dir });
    const snap = registry.current();
    expect(snap.version).toBe(1);
    expect([...snap.streams]).toEqual([
      ['orders', 'shop.Order'],
      ['clicks', 'web.Click'],
    ]);
    expect(snap.typeOf('orders')!.fullName).toBe('.shop.Order');
    expect(snap.typeOf('orders')!.fields.created!.resolvedType!.fullName).toBe('.google.protobuf.Timestamp');
    expect(snap.typeOf('nope')).toBeUndefined();
    expect(Object.isFrozen(snap)).toBe(true);
  });

  it('hot-reloads a changed file: new version, new field visible, old snapshot untouched', async () => {
    const dir = await tempDir();
    await writeSchemas(dir);
    const registry = await SchemaRegistry.open({ dir });
    closers.push(() => registry.close());
    const v1 = registry.current();
    registry.watch({ intervalMs: 200 });
    await writeFile(join(dir, 'order.proto'), ORDER_PROTO_V2);
    const v2 = await waitForVersion(registry, 2);
    expect(v2.version).toBe(2);
    expect(v2.typeOf('orders')!.fields.note).toBeDefined();
    expect(v1.typeOf('orders')!.fields.note).toBeUndefined();
    expect(registry.snapshotAt(1)).toBe(v1);
    expect(registry.snapshotAt(2)).toBe(v2);
    expect(registry.snapshotAt(3)).toBeUndefined();
    // an unchanged re-read publishes nothing
    expect((await registry.reload()).changed).toBe(false);
    expect(registry.current().version).toBe(2);
  });

  it('keeps the current snapshot when a reload does not compile, and recovers', async () => {
    const dir = await tempDir();
    await writeSchemas(dir);
    const registry = await SchemaRegistry.open({ dir });
    await writeFile(join(dir, 'order.proto'), 'syntax = "proto3"; message Broken { strin x = 1; }');
    await expect(registry.reload()).rejects.toThrow(/order\.proto|resolve/);
    expect(registry.current().version).toBe(1);
    expect(registry.lastError).toBeDefined();
    await writeFile(join(dir, 'order.proto'), ORDER_PROTO_V2);
    const result = await registry.reload();
    expect(result.changed).toBe(true);
    expect(result.snapshot.version).toBe(2);
    expect(registry.lastError).toBeUndefined();
  });

  it('rejects a stream naming a type no schema defines', async () => {
    const dir = await tempDir();
    await writeSchemas(dir);
    await expect(SchemaRegistry.open({ dir, streams: { ghosts: 'shop.Ghost' } })).rejects.toThrow(/ghosts.*shop\.Ghost/);
  });

  it('loads a binary FileDescriptorSet', async () => {
    const dir = await tempDir();
    const root = protobuf.parse(CLICK_PROTO, { keepCase: true }).root;
    const set = (root as unknown as { toDescriptor(e: string): protobuf.Message }).toDescriptor('proto3');
    const bytes = (protobuf as any).descriptor.FileDescriptorSet.encode(set).finish() as Uint8Array;
    await writeFile(join(dir, 'web.desc'), bytes);
    const registry = await SchemaRegistry.open({ dir, streams: { clicks: 'web.Click' } });
    const type = registry.current().typeOf('clicks')!;
    expect(type.fieldsArray.map((f) => [f.name, f.type, f.id])).toEqual([
      ['user', 'string', 1],
      ['page', 'string', 2],
      ['ts', 'int64', 3],
    ]);
  });

  it('loads .proto files and descriptor sets over HTTP and reloads when the served content changes', async () => {
    let orderProto = ORDER_PROTO_V1;
    const clickRoot = protobuf.parse(CLICK_PROTO, { keepCase: true }).root;
    const clickSet = (protobuf as any).descriptor.FileDescriptorSet.encode((clickRoot as any).toDescriptor('proto3')).finish() as Uint8Array;
    const server: Server = createServer((req, res) => {
      if (req.url === '/schemas/web.binpb') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from(clickSet));
      } else if (req.url === '/schemas/order.proto') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(orderProto);
      } else if (req.url === '/schemas/streams.json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ orders: 'shop.Order', clicks: 'web.Click' }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => server.close());
    const { port } = server.address() as { port: number };
    const base = `http://127.0.0.1:${port}/schemas`;
    const registry = await SchemaRegistry.open({ urls: [`${base}/order.proto`, `${base}/web.binpb`, `${base}/streams.json`] });
    closers.push(() => registry.close());
    expect(registry.current().typeOf('orders')!.fields.note).toBeUndefined();
    expect(registry.current().typeOf('clicks')!.fields.ts!.type).toBe('int64'); // from the descriptor set
    registry.watch({ intervalMs: 100 });
    orderProto = ORDER_PROTO_V2;
    const v2 = await waitForVersion(registry, 2);
    expect(v2.typeOf('orders')!.fields.note!.type).toBe('string');
    await expect(SchemaRegistry.open({ urls: [`${base}/missing.proto`] })).rejects.toThrow(/HTTP 404/);
  });
});
