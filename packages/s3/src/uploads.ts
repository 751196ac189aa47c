/**
 * Abort unfinished multipart uploads under a prefix: what a writer killed mid-upload leaves
 * behind (invisible, but stored and billed). Stores that cannot list uploads (the s3rver test
 * server answers NotImplemented) rely on the bucket's `AbortIncompleteMultipartUpload`
 * lifecycle rule instead, which every S3 deployment should set anyway.
 */

import { S3RequestError, type S3Client } from './client/s3-client.js';

const unsupported = new WeakSet<S3Client>();

export async function abortUploadsUnder(client: S3Client, prefix: string, keep: (key: string) => boolean = () => false): Promise<number> {
  if (unsupported.has(client)) return 0;
  let uploads;
  try {
    uploads = await client.listMultipartUploads(prefix);
  } catch (err) {
    if (err instanceof S3RequestError && (err.code === 'NotImplemented' || err.status === 501 || err.status === 405)) {
      unsupported.add(client);
      return 0;
    }
    throw err;
  }
  let n = 0;
  for (const u of uploads) {
    if (keep(u.key)) continue;
    await client.abortMultipartUpload(u.key, u.uploadId);
    n++;
  }
  return n;
}
