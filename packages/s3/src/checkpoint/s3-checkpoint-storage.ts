/**
 * {@link CheckpointStorage} on an S3-compatible store. Layout under the prefix, as on a local
 * disk: `chk-<id>/<step>/<file>`, `savepoints/sp-<id>/…`, and `_metadata.json` in each. The
 * metadata object is written last, by one PUT (atomic on S3): a checkpoint without it never
 * completed. `latest()` lists (S3 listings are strongly consistent) and takes the highest id
 * whose metadata exists. Paths of completed checkpoints are `s3://bucket/<prefix>chk-<id>`.
 */

import { parseCheckpointMetadata, type CheckpointKind, type CheckpointMetadata, type CheckpointStorage, type CompletedCheckpoint, type StateFiles, CheckpointFormatError } from '@weir/core';
import type { S3Client } from '../client/s3-client.js';
import { resolveS3, type S3Options } from '../options.js';
import { abortUploadsUnder } from '../uploads.js';
import { S3StateFiles } from './s3-state-files.js';

const METADATA = '_metadata.json';
const CHK = /^chk-(\d+)\/$/;
const SP = /^sp-(\d+)\/$/;

/** Checkpoints and savepoints of one job under `options.prefix` (give each job its own prefix). */
export function s3CheckpointStorage(options: S3Options): CheckpointStorage {
  const { client, prefix, partSize } = resolveS3(options, 's3CheckpointStorage options');
  return new S3CheckpointStorage(client, prefix, partSize);
}

class S3CheckpointStorage implements CheckpointStorage {
  /** Bytes this process wrote per checkpoint (its size at publish, without listing it). */
  private readonly written = new Map<string, number>();

  constructor(
    private readonly client: S3Client,
    private readonly prefix: string,
    private readonly partSize: number,
  ) {}

  /** Key prefix of a checkpoint, ending in `/`. */
  private dirOf(id: number, kind: CheckpointKind): string {
    return kind === 'savepoint' ? `${this.prefix}savepoints/sp-${id}/` : `${this.prefix}chk-${id}/`;
  }

  filesFor(id: number, kind: CheckpointKind, step: string): StateFiles {
    const dir = this.dirOf(id, kind);
    return new S3StateFiles(this.client, `${dir}${safeName(step)}/`, this.partSize, (n) => this.written.set(dir, (this.written.get(dir) ?? 0) + n));
  }

  filesAt(path: string, step: string): StateFiles {
    return new S3StateFiles(this.client, `${this.keyOf(path)}${safeName(step)}/`, this.partSize);
  }

  async publish(metadata: CheckpointMetadata): Promise<CompletedCheckpoint> {
    const dir = this.dirOf(metadata.id, metadata.kind);
    const body = new TextEncoder().encode(JSON.stringify(metadata));
    await this.client.put(dir + METADATA, body);
    const sizeBytes = (this.written.get(dir) ?? 0) + body.byteLength;
    this.written.delete(dir);
    return { metadata, path: this.pathOf(dir), sizeBytes };
  }

  async discard(id: number, kind: CheckpointKind): Promise<void> {
    this.written.delete(this.dirOf(id, kind));
    await this.removeDir(this.dirOf(id, kind));
  }

  async latest(): Promise<CompletedCheckpoint | undefined> {
    const candidates = [...(await this.ids()).map((id) => ({ id, kind: 'checkpoint' as const })), ...(await this.savepointIds()).map((id) => ({ id, kind: 'savepoint' as const }))];
    candidates.sort((a, b) => b.id - a.id);
    for (const c of candidates) {
      const dir = this.dirOf(c.id, c.kind);
      // no metadata: an attempt that never completed
      if ((await this.client.head(dir + METADATA)) === undefined) continue;
      return this.load(this.pathOf(dir));
    }
    return undefined;
  }

  async load(path: string): Promise<CompletedCheckpoint> {
    const key = this.keyOf(path) + METADATA;
    const raw = await this.client.get(key);
    if (raw === undefined) throw new CheckpointFormatError(`no completed checkpoint at ${path}: ${METADATA} is missing (a checkpoint without it never completed)`);
    return { metadata: parseCheckpointMetadata(Buffer.from(raw).toString('utf8'), path), path: path.replace(/\/+$/, ''), sizeBytes: 0 };
  }

  async listSavepoints(): Promise<CompletedCheckpoint[]> {
    const ids = (await this.savepointIds()).sort((a, b) => a - b);
    const loaded = await Promise.all(
      ids.map(async (id) => {
        const dir = this.dirOf(id, 'savepoint');
        const raw = await this.client.get(dir + METADATA);
        // no metadata: an attempt that never completed
        if (raw === undefined) return undefined;
        const path = this.pathOf(dir);
        return { metadata: parseCheckpointMetadata(Buffer.from(raw).toString('utf8'), path), path, sizeBytes: 0 };
      }),
    );
    return loaded.filter((c) => c !== undefined);
  }

  async highestAttemptedId(): Promise<number> {
    return Math.max(0, ...(await this.ids()), ...(await this.savepointIds()));
  }

  async retain(keep: number): Promise<void> {
    const ids = (await this.ids()).sort((a, b) => b - a);
    let completed = 0;
    for (const id of ids) {
      const dir = this.dirOf(id, 'checkpoint');
      const done = (await this.client.head(dir + METADATA)) !== undefined;
      if (done) completed++;
      if (completed > keep || (!done && completed >= 1)) await this.removeDir(dir);
    }
  }

  /** Delete every object of a checkpoint, metadata first (so it stops counting as completed before its state goes). */
  private async removeDir(dir: string): Promise<void> {
    await this.client.delete(dir + METADATA);
    const { objects } = await this.client.list(dir);
    await this.client.deleteMany(objects.map((o) => o.key));
    await abortUploadsUnder(this.client, dir);
  }

  private async ids(): Promise<number[]> {
    return numbered(await this.client.list(this.prefix, '/'), this.prefix, CHK);
  }

  private async savepointIds(): Promise<number[]> {
    const dir = `${this.prefix}savepoints/`;
    return numbered(await this.client.list(dir, '/'), dir, SP);
  }

  private pathOf(dir: string): string {
    return this.client.uri(dir.slice(0, -1));
  }

  /** Key prefix (ending in `/`) of a checkpoint path `s3://<bucket>/<key>`. */
  private keyOf(path: string): string {
    const m = /^s3:\/\/([^/]+)\/(.+?)\/*$/.exec(path);
    if (m === null) throw new CheckpointFormatError(`${path} is not a checkpoint of this storage: expected s3://${this.client.config.bucket}/<key of a checkpoint>`);
    if (m[1] !== this.client.config.bucket) throw new CheckpointFormatError(`${path} is in bucket ${m[1]}, this storage reads bucket ${this.client.config.bucket}: copy the savepoint into it`);
    return `${m[2]}/`;
  }
}

function numbered(listing: { prefixes: string[] }, under: string, pattern: RegExp): number[] {
  return listing.prefixes.map((p) => pattern.exec(p.slice(under.length))).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1]));
}

/** The local storage's directory naming, so both stores name steps alike. */
function safeName(step: string): string {
  return step.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
