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

  async readFile(path: string): Promise<Uint8Array> {
    return readFile(this.abs(path));
  }

  async *openRead(path: string): AsyncIterable<Uint8Array> {
    for await (const chunk of createReadStream(this.abs(path), { highWaterMark: 1 << 20 })) yield chunk as Buffer;
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
    const out: StorageEntry[] = [];
    for (const e of entries) {
      if (e.isDirectory()) out.push({ name: e.name, isDirectory: true, size: 0 });
      else {
        const size = await stat(join(this.abs(dir), e.name)).then(
          (s) => s.size,
          () => -1,
        );
        if (size >= 0) out.push({ name: e.name, isDirectory: false, size });
      }
    }
    return out;
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
