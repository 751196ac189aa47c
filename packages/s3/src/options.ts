/** Where on an S3-compatible store Weir keeps checkpoints or files, and how it connects. */

import { z } from 'zod';
import { count, schemaFor, strictObject, validateOptions } from '@weir/core';
import { S3Client } from './client/s3-client.js';

/** Static credentials (SigV4); temporary ones carry a session token. */
export interface S3Credentials {
  /** e.g. `AKIA…` */
  accessKeyId: string;
  /** The secret key paired with `accessKeyId`. */
  secretAccessKey: string;
  /** Of temporary credentials (STS, instance roles). */
  sessionToken?: string;
}

/** Where on an S3-compatible store a storage keeps its objects, and how it connects. */
export interface S3Options {
  /** The store's URL, e.g. `https://s3.eu-central-1.amazonaws.com` or `http://127.0.0.1:9000`. */
  endpoint: string;
  /** An existing bucket. */
  bucket: string;
  /** Key prefix everything lives under, e.g. `jobs/orders/checkpoints` (default: the bucket root). */
  prefix?: string;
  /** Signing region (default `AWS_REGION`, else `us-east-1`). */
  region?: string;
  /** Default: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` from the environment. */
  credentials?: S3Credentials;
  /** Path-style URLs `endpoint/bucket/key` (default true: every S3-compatible store speaks them); false for `bucket.endpoint/key`. */
  pathStyle?: boolean;
  /** Multipart part size in bytes (default 8 MiB, at least S3's 5 MiB); smaller objects are one PUT. */
  partSizeBytes?: number;
  /** Attempts per request on network errors, 5xx and 429 (default 4). */
  retries?: number;
}

const MIN_PART = 5 * 1024 * 1024;

export const s3OptionsSchema = schemaFor<S3Options>()(
  strictObject({
    endpoint: z.string().refine((v) => /^https?:\/\/[^/]/.test(v), 'must be an http(s) URL, e.g. https://s3.eu-central-1.amazonaws.com'),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid bucket name (3-63 characters: a-z, 0-9, dot, hyphen)'),
    prefix: z.string().optional(),
    region: z.string().min(1).optional(),
    credentials: strictObject({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1), sessionToken: z.string().min(1).optional() }).optional(),
    pathStyle: z.boolean().optional(),
    partSizeBytes: count(MIN_PART).optional(),
    retries: count(1).optional(),
  }),
);

/** Validated options with defaults: a client and the normalised key prefix (`''` or ending in `/`). */
export interface ResolvedS3 {
  client: S3Client;
  prefix: string;
  partSize: number;
}

export function resolveS3(options: S3Options, label: string): ResolvedS3 {
  validateOptions(s3OptionsSchema, options, label);
  const env = process.env;
  const credentials = options.credentials ?? fromEnv(label);
  const client = new S3Client({
    endpoint: options.endpoint,
    bucket: options.bucket,
    region: options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    ...(credentials.sessionToken !== undefined ? { sessionToken: credentials.sessionToken } : {}),
    pathStyle: options.pathStyle ?? true,
    retries: options.retries ?? 4,
  });
  const trimmed = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
  return { client, prefix: trimmed === '' ? '' : `${trimmed}/`, partSize: options.partSizeBytes ?? 8 * 1024 * 1024 };
}

function fromEnv(label: string): S3Credentials {
  const { AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret, AWS_SESSION_TOKEN: token } = process.env;
  if (id === undefined || id === '' || secret === undefined || secret === '') {
    throw new Error(`${label}: no credentials: pass options.credentials or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`);
  }
  return token !== undefined && token !== '' ? { accessKeyId: id, secretAccessKey: secret, sessionToken: token } : { accessKeyId: id, secretAccessKey: secret };
}
