import { CheckpointFormatError, type CheckpointMetadata } from '@weir/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3CheckpointStorage } from '../src/index.js';
import { startS3, type TestS3 } from './s3-server.js';

let s3: TestS3;
beforeAll(async () => void (s3 = await startS3()));
afterAll(() => s3.close());

const meta = (id: number, kind: 'checkpoint' | 'savepoint' = 'checkpoint'): CheckpointMetadata => ({ formatVersion: 2, id, kind, jobName: 'j', createdAtMs: id, steps: { count: { state: { files: ['state.kv'] } } } as never });

async function* chunks(n: number, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < n; i++) yield new Uint8Array(size).fill(i % 251);
}

describe(`s3CheckpointStorage`, () => {
  it('a checkpoint counts only once its metadata is written; latest() lists; retain keeps the newest', async () => {
    const storage = s3CheckpointStorage(s3.options('retain/'));
    expect(await storage.latest()).toBeUndefined();
    expect(await storage.highestAttemptedId()).toBe(0);
    for (const id of [1, 2, 3, 4]) {
      await storage.filesFor(id, 'checkpoint', 'count').write('state.kv', new TextEncoder().encode(`state ${id}`));
      if (id !== 4) await storage.publish(meta(id)); // 4: an attempt that never completed
    }
    expect(await storage.highestAttemptedId()).toBe(4);
    const latest = await storage.latest();
    expect(latest?.metadata.id).toBe(3);
    expect(latest?.path).toBe(`s3://${s3.options('').bucket}/${s3.prefix}retain/chk-3`);
    const files = storage.filesAt(latest!.path, 'count');
    expect(Buffer.from(await files.read('state.kv')).toString()).toBe('state 3');
    expect(await files.list()).toEqual(['state.kv']);

    await storage.retain(2);
    const left = (await s3.client.list(`${s3.prefix}retain/`, '/')).prefixes.map((p) => p.slice(`${s3.prefix}retain/`.length));
    expect(left.sort()).toEqual(['chk-2/', 'chk-3/', 'chk-4/']); // the newest attempt may still be running
    await storage.discard(4, 'checkpoint');
    expect((await s3.client.list(`${s3.prefix}retain/chk-4/`)).objects).toEqual([]);
  });

  it('a savepoint newer than the checkpoints wins; load() reads a path; step names are escaped', async () => {
    const storage = s3CheckpointStorage(s3.options('sp/'));
    await storage.filesFor(5, 'checkpoint', 'a/b c').write('x', new Uint8Array([1]));
    await storage.publish(meta(5));
    await storage.filesFor(6, 'savepoint', 'a/b c').write('x', new Uint8Array([2]));
    const sp = await storage.publish(meta(6, 'savepoint'));
    expect(sp.path).toMatch(/\/sp\/savepoints\/sp-6$/);
    expect(sp.sizeBytes).toBeGreaterThan(0);
    expect((await storage.latest())?.metadata).toMatchObject({ id: 6, kind: 'savepoint' });
    const loaded = await storage.load(sp.path);
    expect(loaded.metadata.id).toBe(6);
    expect([...(await storage.filesAt(sp.path, 'a/b c').read('x'))]).toEqual([2]);
    await expect(storage.load(sp.path.replace('sp-6', 'sp-7'))).rejects.toThrow(CheckpointFormatError);
    await expect(storage.load('s3://other-bucket/x/chk-1')).rejects.toThrow(/bucket other-bucket/);
  });

  it('refuses metadata of an unknown format version', async () => {
    const storage = s3CheckpointStorage(s3.options('future/'));
    await s3.client.put(`${s3.prefix}future/chk-9/_metadata.json`, new TextEncoder().encode(JSON.stringify({ ...meta(9), formatVersion: 99 })));
    await expect(storage.latest()).rejects.toThrow(/format version 99/);
  });

  it('streams a state file larger than a part as a multipart upload and reads it back', async () => {
    const storage = s3CheckpointStorage({ ...s3.options('big/'), partSizeBytes: 5 * 1024 * 1024 });
    const files = storage.filesFor(1, 'checkpoint', 'step');
    await files.write('state.kv', chunks(12, 1024 * 1024)); // 12 MiB: 3 parts
    expect(await files.exists('state.kv')).toBe(true);
    expect(await files.exists('other')).toBe(false);
    let n = 0;
    let ok = true;
    for await (const c of files.readStream('state.kv')) {
      for (let i = 0; i < c.length; i++) if (c[i] !== Math.floor((n + i) / (1024 * 1024)) % 251) ok = false;
      n += c.length;
    }
    expect(n).toBe(12 * 1024 * 1024);
    expect(ok).toBe(true);
  });

  it('a failed stream leaves no object', async () => {
    const storage = s3CheckpointStorage({ ...s3.options('fail/'), partSizeBytes: 5 * 1024 * 1024 });
    const files = storage.filesFor(1, 'checkpoint', 'step');
    async function* broken(): AsyncIterable<Uint8Array> {
      yield new Uint8Array(6 * 1024 * 1024);
      throw new Error('disk on fire');
    }
    await expect(files.write('state.kv', broken())).rejects.toThrow('disk on fire');
    expect(await files.list()).toEqual([]);
  });

  it('rejects bad options with did-you-mean', () => {
    expect(() => s3CheckpointStorage({ ...s3.options('x/'), partSize: 1 } as never)).toThrow(/partSizeBytes/);
    expect(() => s3CheckpointStorage({ ...s3.options('x/'), partSizeBytes: 1024 })).toThrow(/partSizeBytes/);
    expect(() => s3CheckpointStorage({ ...s3.options('x/'), endpoint: 'localhost:9000' })).toThrow(/http/);
  });
});
