/**
 * {@link StateFiles} of one step in one checkpoint, as objects under `<checkpoint>/<step>/`.
 * State backends stream their snapshot files (classic-level and RocksDB iterate the store);
 * large files go up as multipart uploads and appear only when complete, so a file that
 * exists is whole, as with the local temp-file-and-rename.
 */

import type { StateFiles } from '@weir/core';
import { uploadStream } from '../client/object-upload.js';
import type { S3Client } from '../client/s3-client.js';
import { notFound } from '../not-found.js';

export class S3StateFiles implements StateFiles {
  /** @param dir key prefix of the step's files, ending in `/` */
  constructor(
    private readonly client: S3Client,
    private readonly dir: string,
    private readonly partSize: number,
    private readonly onWritten: (bytes: number) => void = () => undefined,
  ) {}

  async write(name: string, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    const key = this.keyOf(name);
    if (data instanceof Uint8Array) {
      await this.client.put(key, data);
      this.onWritten(data.byteLength);
    } else this.onWritten(await uploadStream(this.client, key, this.partSize, data));
  }

  async read(name: string): Promise<Uint8Array> {
    const key = this.keyOf(name);
    const data = await this.client.get(key);
    if (data === undefined) throw notFound(this.client.uri(key));
    return data;
  }

  readStream(name: string): AsyncIterable<Uint8Array> {
    return this.client.getStream(this.keyOf(name));
  }

  async exists(name: string): Promise<boolean> {
    return (await this.client.head(this.keyOf(name))) !== undefined;
  }

  async list(): Promise<string[]> {
    const { objects } = await this.client.list(this.dir, '/');
    return objects.map((o) => o.key.slice(this.dir.length)).sort();
  }

  private keyOf(name: string): string {
    if (name.length === 0 || name.includes('/') || name.includes('\\') || name === '.' || name === '..') throw new Error(`Invalid state file name ${JSON.stringify(name)}`);
    return this.dir + name;
  }
}
