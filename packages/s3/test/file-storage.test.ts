import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3FileStorage } from '../src/index.js';
import { startS3, type TestS3 } from './s3-server.js';

let s3: TestS3;
beforeAll(async () => void (s3 = await startS3()));
afterAll(() => s3.close());

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

describe('s3FileStorage', () => {
  it('writes, lists directories and files, renames by copy + delete, deletes', async () => {
    const fs = s3FileStorage(s3.options('tables/'));
    await fs.writeFile('orders/dt=2024-05-01/.part-0-1-0.jsonl.pending', '{"a":1}\n');
    await fs.writeFileAtomic('_weir/files/progress-0.json', '{"x":1}');
    await fs.mkdirs('empty/dir'); // no-op: object stores have no directories
    expect((await fs.list('')).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: '_weir', isDirectory: true },
      { name: 'orders', isDirectory: true },
    ]);
    expect(await fs.list('orders')).toEqual([{ name: 'dt=2024-05-01', isDirectory: true }]);
    await fs.rename('orders/dt=2024-05-01/.part-0-1-0.jsonl.pending', 'orders/dt=2024-05-01/part-0-1-0.jsonl');
    expect(await fs.list('orders/dt=2024-05-01')).toEqual([{ name: 'part-0-1-0.jsonl', isDirectory: false }]);
    expect(text(await fs.readFile('orders/dt=2024-05-01/part-0-1-0.jsonl'))).toBe('{"a":1}\n');
    await expect(fs.rename('orders/dt=2024-05-01/.gone', 'orders/x')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(fs.readFile('orders/nothing')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await fs.exists('orders/dt=2024-05-01/part-0-1-0.jsonl')).toBe(true);
    await fs.delete('orders/dt=2024-05-01/part-0-1-0.jsonl');
    await fs.delete('orders/dt=2024-05-01/part-0-1-0.jsonl'); // missing: no error
    expect(await fs.exists('orders/dt=2024-05-01/part-0-1-0.jsonl')).toBe(false);
    expect(await fs.list('orders')).toEqual([]);
    expect(await fs.list('nowhere')).toEqual([]);
    expect(fs.describe('orders/x')).toBe(`s3://${s3.options('').bucket}/${s3.prefix}tables/orders/x`);
  });

  it('a part file is invisible until closed, multipart above the part size, gone after abort', async () => {
    const fs = s3FileStorage({ ...s3.options('parts/'), partSizeBytes: 5 * 1024 * 1024 });
    const w = await fs.openWrite('t/.part-0-1-0.jsonl.inprogress');
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 6 * 1024 + 10; i++) await w.write(line); // 6 MiB + 10 KiB: two parts
    expect(await fs.list('t')).toEqual([]);
    await w.close();
    expect(await fs.list('t')).toEqual([{ name: '.part-0-1-0.jsonl.inprogress', isDirectory: false }]);
    let bytes = 0;
    for await (const c of fs.openRead('t/.part-0-1-0.jsonl.inprogress')) bytes += c.length;
    expect(bytes).toBe((6 * 1024 + 10) * 1024);

    const aborted = await fs.openWrite('t/.part-0-1-1.jsonl.inprogress');
    await aborted.write(new Uint8Array(6 * 1024 * 1024));
    await aborted.abort();
    expect((await fs.list('t')).map((e) => e.name)).toEqual(['.part-0-1-0.jsonl.inprogress']);
  });

  it('aborts unfinished multipart uploads of a crashed writer (stores that list uploads)', async (ctx) => {
    const fs = s3FileStorage({ ...s3.options('zombies/'), partSizeBytes: 5 * 1024 * 1024 });
    const id = await s3.client.createMultipartUpload(`${s3.prefix}zombies/t/.part-0-3-0.jsonl.inprogress`);
    const other = await s3.client.createMultipartUpload(`${s3.prefix}zombies/t/.part-1-3-0.jsonl.inprogress`);
    const aborted = await fs.abortUnfinishedWrites!((p) => p.slice(p.lastIndexOf('/') + 1).startsWith('.part-0-'));
    if (!s3.real) {
      // s3rver cannot list uploads (NotImplemented): cleanup falls to the bucket lifecycle rule
      expect(aborted).toBe(0);
      ctx.skip();
    }
    expect(aborted).toBe(1);
    const left = await s3.client.listMultipartUploads(`${s3.prefix}zombies/`);
    expect(left.map((u) => u.uploadId)).toEqual([other]);
    expect(left.map((u) => u.uploadId)).not.toContain(id);
    await s3.client.abortMultipartUpload(`${s3.prefix}zombies/t/.part-1-3-0.jsonl.inprogress`, other);
  });
});
