/**
 * The S3-compatible store the tests run against: an s3rver started in this process on a free
 * port, storing to a temp directory — or, when `WEIR_S3_ENDPOINT` is set, that real endpoint
 * (bucket `WEIR_S3_BUCKET`, credentials from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` /
 * `AWS_SESSION_TOKEN`, region `AWS_REGION`), each test under a fresh key prefix that is
 * deleted afterwards.
 *
 * s3rver writes a PUT in place, so a client killed mid-request leaves a truncated object
 * visible, which S3 never does (an object appears whole or not at all). The helper makes its
 * PUT write a temp file and rename it, so SIGKILL tests exercise Weir's protocol, not that gap.
 * Its listing with a delimiter also misses common prefixes that hold only deeper keys
 * (`chk-4/step/state.kv` does not yield `chk-4/`); the helper groups a full listing instead.
 */

import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import S3rver from 's3rver';
import type { S3Options } from '../src/index.js';
import { S3Client } from '../src/client/s3-client.js';

export interface TestS3 {
  /** Options for a storage under this test's prefix plus `sub`. */
  options(sub: string): S3Options;
  /** A raw client on the bucket (for checks and fault setup). */
  client: S3Client;
  /** This test's key prefix (ending in `/`). */
  prefix: string;
  /** True against a real endpoint. */
  real: boolean;
  close(): Promise<void>;
}

const BUCKET = 'weir-test';

export async function startS3(): Promise<TestS3> {
  const env = process.env;
  if (env.WEIR_S3_ENDPOINT !== undefined && env.WEIR_S3_ENDPOINT !== '') {
    const bucket = env.WEIR_S3_BUCKET ?? BUCKET;
    const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '', ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
    const region = env.AWS_REGION ?? 'us-east-1';
    return fixture(env.WEIR_S3_ENDPOINT, bucket, credentials, region, true, async () => undefined);
  }
  const dir = await mkdtemp(join(tmpdir(), 'weir-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: BUCKET }] });
  atomicPuts(server);
  groupedListings(server);
  const { port } = await server.run();
  return fixture(`http://127.0.0.1:${port}`, BUCKET, { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, 'us-east-1', false, async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
}

function fixture(endpoint: string, bucket: string, credentials: S3Options['credentials'] & object, region: string, real: boolean, stop: () => Promise<void>): TestS3 {
  const prefix = `weir-test-${randomUUID().slice(0, 8)}/`;
  const client = new S3Client({ endpoint, bucket, region, pathStyle: true, retries: 4, ...credentials });
  return {
    options: (sub) => ({ endpoint, bucket, region, credentials, prefix: prefix + sub }),
    client,
    prefix,
    real,
    close: async () => {
      if (real) await client.deleteMany((await client.list(prefix)).objects.map((o) => o.key)).catch(() => undefined);
      await stop();
    },
  };
}

/** Replace s3rver's in-place PUT with temp file + rename (see the header). */
function atomicPuts(server: S3rver): void {
  const store = server.store;
  store.putObject = async function putObject(object) {
    const path = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomUUID()}.partial`; // not listed: keys end in ._S3rver_object
    const md5 = createHash('md5');
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        md5.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    try {
      await pipeline(Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content, count, createWriteStream(tmp));
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    const digest = md5.digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, digest);
    await rename(tmp, path);
    return { size, md5: digest };
  };
}

/** List with a delimiter as S3 does: every key under the prefix, grouped at the first delimiter after it. */
function groupedListings(server: S3rver): void {
  const store = server.store;
  const original = store.listObjects.bind(store);
  store.listObjects = async (bucket, options) => {
    if (!options.delimiter) return original(bucket, options);
    const prefix = options.prefix ?? '';
    const all = await original(bucket, { ...options, delimiter: '', maxKeys: Infinity });
    const objects: typeof all.objects = [];
    const prefixes = new Set<string>();
    for (const o of all.objects) {
      const i = o.key.indexOf(options.delimiter, prefix.length);
      if (i === -1) objects.push(o);
      else prefixes.add(o.key.slice(0, i + options.delimiter.length));
    }
    return { objects, commonPrefixes: [...prefixes].sort(), isTruncated: false };
  };
}
