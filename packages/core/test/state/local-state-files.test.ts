import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStateFiles } from '../../src/state/index.js';

describe('LocalStateFiles', () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('writes buffers and streams, reads them back, lists and checks existence', async () => {
    root = await mkdtemp(join(tmpdir(), 'weir-files-'));
    const files = new LocalStateFiles(join(root, 'op-1', 'chk-3'));
    expect(await files.list()).toEqual([]);
    expect(await files.exists('a')).toBe(false);
    await files.write('a', new Uint8Array([1, 2, 3]));
    async function* gen(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('hello ');
      yield Buffer.from('world');
    }
    await files.write('b', gen());
    expect(Buffer.from(await files.read('a'))).toEqual(Buffer.from([1, 2, 3]));
    const parts: Buffer[] = [];
    for await (const c of files.readStream('b')) parts.push(Buffer.from(c));
    expect(Buffer.concat(parts).toString()).toBe('hello world');
    expect(await files.list()).toEqual(['a', 'b']);
    expect(await files.exists('a')).toBe(true);
  });

  it('leaves no file behind when the source fails, and rejects path-like names', async () => {
    root = await mkdtemp(join(tmpdir(), 'weir-files-'));
    const files = new LocalStateFiles(root);
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('partial');
      throw new Error('source failed');
    }
    await expect(files.write('x', failing())).rejects.toThrow('source failed');
    expect(await readdir(root)).toEqual([]);
    expect(() => files.read('../etc')).toThrow(/Invalid state file name/);
  });
});
