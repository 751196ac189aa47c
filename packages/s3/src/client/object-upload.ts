/**
 * Writes one object from a sequence of chunks: buffered up to the part size, then a multipart
 * upload; an object smaller than one part is a single PUT. Nothing is visible under the key
 * until `close` completes (S3 publishes an object whole), so a crashed writer leaves no partial
 * object, at most an unfinished multipart upload (aborted by `abort`, by storage cleanup, or by
 * the bucket's lifecycle rule).
 */

import type { S3Client, UploadedPart } from './s3-client.js';

export class ObjectUpload {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private uploadId: string | undefined;
  private readonly parts: UploadedPart[] = [];
  private done = false;

  constructor(
    private readonly client: S3Client,
    readonly key: string,
    private readonly partSize: number,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.done) throw new Error(`write to ${this.client.uri(this.key)} after close or abort`);
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.byteLength;
    if (this.buffered >= this.partSize) await this.flushPart();
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    if (this.uploadId === undefined) {
      await this.client.put(this.key, this.take());
      return;
    }
    // the last part may be smaller than the minimum part size
    if (this.buffered > 0 || this.parts.length === 0) await this.flushPart(true);
    await this.client.completeMultipartUpload(this.key, this.uploadId, this.parts);
  }

  /** Drop what was written; the key keeps its previous content (or stays absent). */
  async abort(): Promise<void> {
    this.done = true;
    this.chunks = [];
    this.buffered = 0;
    if (this.uploadId !== undefined) await this.client.abortMultipartUpload(this.key, this.uploadId).catch(() => undefined);
  }

  private async flushPart(force = false): Promise<void> {
    if (!force && this.buffered < this.partSize) return;
    this.uploadId ??= await this.client.createMultipartUpload(this.key);
    this.parts.push(await this.client.uploadPart(this.key, this.uploadId, this.parts.length + 1, this.take()));
  }

  private take(): Uint8Array {
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    return body;
  }
}

/** Write a whole stream of chunks as one object; returns its size. */
export async function uploadStream(client: S3Client, key: string, partSize: number, data: AsyncIterable<Uint8Array>): Promise<number> {
  const upload = new ObjectUpload(client, key, partSize);
  let bytes = 0;
  try {
    for await (const chunk of data) {
      bytes += chunk.byteLength;
      await upload.write(chunk);
    }
  } catch (err) {
    await upload.abort();
    throw err;
  }
  await upload.close();
  return bytes;
}
