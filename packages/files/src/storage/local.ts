/** {@link FileStorage} on the local filesystem, rooted at a directory. */

import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { FileStorage, StorageEntry, StorageWriteStream } from './types.js';

export class LocalFileStorage implements FileStorage {
  /** Absolute root directory. */
  readonly root: string;
  private readonly madeDirs = new Set<string>();

  constructor(root: string) {
    this.root = resolve(root);
  }

  private abs(path: string): string {
    return join(this.root, path);
  }

  private async parent(path: string): Promise<void> {
    const dir = dirname(this.abs(path));
    if (this.madeDirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  async openWrite(path: string): Promise<StorageWriteStream> {
    await this.parent(path);
    let handle: FileHandle;
    try {
      handle = await open(this.abs(path), 'w');
    } catch (err) {
      // the directory may have been removed behind our cache
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.madeDirs.delete(dirname(this.abs(path)));
      await this.parent(path);
      handle = await open(this.abs(path), 'w');
    }
    return {
      write: async (chunk) => {
        if (typeof chunk === 'string') await handle.write(chunk);
        else await handle.write(chunk);
      },
      close: async (sync = true) => {
        if (sync) await handle.sync();
        await handle.close();
      },
      abort: async () => {
        await handle.close().catch(() => undefined);
      },
    };
  }

  async writeFile(path: string, data: string | Uint8Array, options: { sync?: boolean } = {}): Promise<void> {
    const w = await this.openWrite(path);
    try {
      await w.write(data);
    } catch (err) {
      await w.abort();
      throw err;
    }
    await w.close(options.sync ?? true);
  }

  async writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
    const slash = path.lastIndexOf('/');
    // hidden and deterministic: a crashed write is overwritten by the redo
    const tmp = `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.tmp`;
    await this.writeFile(tmp, data);
    await this.rename(tmp, path);
  }

  async readFile(path: string): Promise<Uint8Array> {
    return readFile(this.abs(path));
  }

  async *openRead(path: string): AsyncIterable<Uint8Array> {
    for await (const chunk of createReadStream(this.abs(path), { highWaterMark: 1 << 20 })) yield chunk as Buffer;
  }

  async size(path: string): Promise<number> {
    return (await stat(this.abs(path))).size;
  }

  async readRange(path: string, start: number, end: number): Promise<Uint8Array> {
    const handle = await open(this.abs(path), 'r');
    try {
      const out = Buffer.allocUnsafeSlow(Math.max(0, end - start)); // unpooled: the caller may take its ArrayBuffer
      let done = 0;
      while (done < out.length) {
        const { bytesRead } = await handle.read(out, done, out.length - done, start + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === out.length ? out : out.subarray(0, done);
    } finally {
      await handle.close();
    }
  }

  async rename(from: string, to: string): Promise<void> {
    await this.parent(to);
    await rename(this.abs(from), this.abs(to));
  }

  async list(dir: string): Promise<StorageEntry[]> {
    let entries;
    try {
      entries = await readdir(this.abs(dir), { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return entries.map((e): StorageEntry => ({ name: e.name, isDirectory: e.isDirectory() }));
  }

  async delete(path: string): Promise<void> {
    await rm(this.abs(path), { force: true });
  }

  async exists(path: string): Promise<boolean> {
    try {
      await stat(this.abs(path));
      return true;
    } catch {
      return false;
    }
  }

  async mkdirs(dir: string): Promise<void> {
    await mkdir(this.abs(dir), { recursive: true });
  }

  describe(path: string): string {
    return this.abs(path);
  }
}
