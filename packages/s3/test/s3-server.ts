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
 * (`chk-4/step/state.kv` does not yield `chk-4/`); the helper adds them.
 */

import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
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
  /**
   * Copy every object under this test's prefix plus `sub` into `toDir` (key -> relative path),
   * for checks that must not trust Weir's client: from s3rver's data directory directly, or
   * from a real endpoint through plain listing and GETs.
   */
  mirror(sub: string, toDir: string): Promise<void>;
  /** s3rver only: the directory holding the objects under this test's prefix plus `sub` (object `k` is the file `k._S3rver_object`). */
  localDir(sub: string): string | undefined;
  close(): Promise<void>;
}

const BUCKET = 'weir-test';
const OBJECT_SUFFIX = '._S3rver_object';

export async function startS3(): Promise<TestS3> {
  const env = process.env;
  if (env.WEIR_S3_ENDPOINT !== undefined && env.WEIR_S3_ENDPOINT !== '') {
    const bucket = env.WEIR_S3_BUCKET ?? BUCKET;
    const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '', ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
    const region = env.AWS_REGION ?? 'us-east-1';
    return fixture(env.WEIR_S3_ENDPOINT, bucket, credentials, region, undefined, async () => undefined);
  }
  const dir = await mkdtemp(join(tmpdir(), 'weir-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: BUCKET }] });
  atomicPuts(server);
  groupedListings(server);
  const { port } = await server.run();
  return fixture(`http://127.0.0.1:${port}`, BUCKET, { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, 'us-east-1', dir, async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
}

function fixture(endpoint: string, bucket: string, credentials: S3Options['credentials'] & object, region: string, dataDir: string | undefined, stop: () => Promise<void>): TestS3 {
  const real = dataDir === undefined;
  const prefix = `weir-test-${randomUUID().slice(0, 8)}/`;
  const client = new S3Client({ endpoint, bucket, region, pathStyle: true, retries: 4, ...credentials });
  return {
    options: (sub) => ({ endpoint, bucket, region, credentials, prefix: prefix + sub }),
    client,
    prefix,
    real,
    localDir: (sub) => (dataDir !== undefined ? join(dataDir, bucket, prefix + sub) : undefined),
    mirror: async (sub, toDir) => {
      if (dataDir !== undefined) return copyStoredObjects(join(dataDir, bucket, prefix + sub), toDir);
      const base = prefix + sub;
      for (const o of (await client.list(base)).objects) {
        const to = join(toDir, o.key.slice(base.length));
        await mkdir(dirname(to), { recursive: true });
        await writeFile(to, (await client.get(o.key)) ?? new Uint8Array());
      }
    },
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

/**
 * List with a delimiter as S3 does: s3rver only reports common prefixes whose objects sit
 * right below them; add every subdirectory holding an object at any depth.
 */
function groupedListings(server: S3rver): void {
  const store = server.store;
  const original = store.listObjects.bind(store);
  store.listObjects = async (bucket, options) => {
    const result = await original(bucket, options);
    const prefix = options.prefix ?? '';
    if (options.delimiter !== '/' || !(prefix === '' || prefix.endsWith('/'))) return result;
    const dir = join(store.getBucketPath(bucket), prefix);
    const prefixes = new Set(result.commonPrefixes);
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory() && (await holdsObject(join(dir, e.name)))) prefixes.add(`${prefix}${e.name}/`);
    }
    return { ...result, commonPrefixes: [...prefixes].sort() };
  };
}

async function holdsObject(dir: string): Promise<boolean> {
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory() ? await holdsObject(join(dir, e.name)) : e.name.endsWith(OBJECT_SUFFIX)) return true;
  }
  return false;
}


/** s3rver keeps object `a/b` as the file `a/b._S3rver_object` (beside metadata files). */
async function copyStoredObjects(from: string, to: string): Promise<void> {
  for (const e of await readdir(from, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory()) await copyStoredObjects(join(from, e.name), join(to, e.name));
    else if (e.name.endsWith(OBJECT_SUFFIX)) {
      await mkdir(to, { recursive: true });
      await copyFile(join(from, e.name), join(to, e.name.slice(0, -OBJECT_SUFFIX.length)));
    }
  }
}
