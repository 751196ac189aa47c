/**
 * {@link FileStorage} for the file sink on an S3-compatible store. Paths are keys under the
 * prefix; "directories" are key prefixes (they exist while they hold an object, `mkdirs` is a
 * no-op). Part files stream up as multipart uploads, visible only once complete. S3 has no
 * rename: `rename` copies server-side, then deletes the source — the target appears whole and
 * at once; a crash in between leaves the source too, which the sink's protocol tolerates
 * (publishing again is idempotent; hidden leftovers are removed on restore).
 */

import type { FileStorage, StorageEntry, StorageWriteStream } from '@weir/files';
import { ObjectUpload } from '../client/object-upload.js';
import { S3RequestError, type S3Client } from '../client/s3-client.js';
import { notFound } from '../not-found.js';
import { resolveS3, type S3Options } from '../options.js';
import { abortUploadsUnder } from '../uploads.js';

/** A file sink's storage under `options.prefix` (the tables' root). */
export function s3FileStorage(options: S3Options): FileStorage {
  const { client, prefix, partSize } = resolveS3(options, 's3FileStorage options');
  return new S3FileStorage(client, prefix, partSize);
}

class S3FileStorage implements FileStorage {
  /** Part files go up as multipart uploads: the sink writes them under their pending name directly (no copy). */
  readonly writesAppearOnClose = true;
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly client: S3Client,
    private readonly prefix: string,
    private readonly partSize: number,
  ) {}

  private key(path: string): string {
    return this.prefix + path.replace(/^\/+/, '');
  }

  async openWrite(path: string): Promise<StorageWriteStream> {
    const upload = new ObjectUpload(this.client, this.key(path), this.partSize);
    return {
      write: (chunk) => upload.write(typeof chunk === 'string' ? this.encoder.encode(chunk) : chunk),
      // an acknowledged upload is durable: nothing to sync
      close: () => upload.close(),
      abort: () => upload.abort(),
    };
  }

  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    await this.client.put(this.key(path), typeof data === 'string' ? this.encoder.encode(data) : data);
  }

  /** One PUT: S3 replaces an object atomically. */
  writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
    return this.writeFile(path, data);
  }

  async readFile(path: string): Promise<Uint8Array> {
    const data = await this.client.get(this.key(path));
    if (data === undefined) throw notFound(this.describe(path));
    return data;
  }

  async *openRead(path: string): AsyncIterable<Uint8Array> {
    try {
      yield* this.client.getStream(this.key(path));
    } catch (err) {
      if (err instanceof S3RequestError && err.status === 404) throw notFound(this.describe(path));
      throw err;
    }
  }

  /** HEAD: lets columnar readers (the file source) fetch one row group at a time. */
  async size(path: string): Promise<number> {
    const size = await this.client.head(this.key(path));
    if (size === undefined) throw notFound(this.describe(path));
    return size;
  }

  /** A ranged GET of bytes `[start, end)`. */
  async readRange(path: string, start: number, end: number): Promise<Uint8Array> {
    try {
      return await this.client.getRange(this.key(path), start, end);
    } catch (err) {
      if (err instanceof S3RequestError && err.status === 404) throw notFound(this.describe(path));
      throw err;
    }
  }

  async rename(from: string, to: string): Promise<void> {
    try {
      await this.client.copy(this.key(from), this.key(to));
    } catch (err) {
      if (err instanceof S3RequestError && (err.status === 404 || err.code === 'NoSuchKey')) throw notFound(this.describe(from));
      throw err;
    }
    await this.client.delete(this.key(from));
  }

  async list(dir: string): Promise<StorageEntry[]> {
    const base = dir === '' ? this.prefix : `${this.key(dir).replace(/\/+$/, '')}/`;
    const { objects, prefixes } = await this.client.list(base, '/');
    return [
      ...prefixes.map((p): StorageEntry => ({ name: p.slice(base.length, -1), isDirectory: true })),
      ...objects.filter((o) => o.key.length > base.length).map((o): StorageEntry => ({ name: o.key.slice(base.length), isDirectory: false })),
    ];
  }

  delete(path: string): Promise<void> {
    return this.client.delete(this.key(path));
  }

  async exists(path: string): Promise<boolean> {
    return (await this.client.head(this.key(path))) !== undefined;
  }

  async mkdirs(): Promise<void> {
    // object stores have no directories: a prefix exists while it holds an object
  }

  describe(path: string): string {
    return this.client.uri(this.key(path));
  }

  async abortUnfinishedWrites(match: (path: string) => boolean): Promise<number> {
    return abortUploadsUnder(this.client, this.prefix, (key) => !match(key.slice(this.prefix.length)));
  }
}
