import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { StateFiles } from './types.js';

const TMP_SUFFIX = '.tmp';

/**
 * {@link StateFiles} on the local file system: one directory per operator per checkpoint.
 * Files are written to `<name>.tmp` and renamed when complete, so a file that exists is whole.
 */
export class LocalStateFiles implements StateFiles {
  /** @param dir Directory of this operator's files in this checkpoint (created on first write). */
  constructor(readonly dir: string) {}

  async write(name: string, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    const path = this.pathOf(name);
    const tmp = path + TMP_SUFFIX;
    await mkdir(this.dir, { recursive: true });
    try {
      const source = data instanceof Uint8Array ? Readable.from([data]) : Readable.from(data);
      await pipeline(source, createWriteStream(tmp));
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  read(name: string): Promise<Uint8Array> {
    return readFile(this.pathOf(name));
  }

  readStream(name: string): AsyncIterable<Uint8Array> {
    return createReadStream(this.pathOf(name), { highWaterMark: 1 << 20 });
  }

  async exists(name: string): Promise<boolean> {
    try {
      await access(this.pathOf(name));
      return true;
    } catch {
      return false;
    }
  }

  async list(): Promise<string[]> {
    try {
      const names = await readdir(this.dir);
      return names.filter((n) => !n.endsWith(TMP_SUFFIX)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  private pathOf(name: string): string {
    if (name.length === 0 || name.includes('/') || name.includes('\\') || name === '.' || name === '..' || name.endsWith(TMP_SUFFIX)) {
      throw new Error(`Invalid state file name ${JSON.stringify(name)}`);
    }
    return join(this.dir, name);
  }
}
