/**
 * Checkpoint locations of instances: a template with `{i}` gives instance i's location, the
 * same across runs (so a restarted instance finds its own checkpoints, and a search over the
 * locations finds every savepoint). A location is a local directory or `s3://bucket/prefix/`.
 */

import { localCheckpointStorage, type CheckpointStorage } from '@weir/core';

/** Instance `i`'s location from a template such as `/checkpoints/orders/instance-{i}` or `s3://bucket/orders/instance-{i}/`. */
export function checkpointLocation(template: string, i: number): string {
  if (!template.includes('{i}')) throw new Error(`checkpoint location template ${JSON.stringify(template)} has no {i}: every instance needs its own location, e.g. ${template.replace(/\/*$/, '')}/instance-{i}`);
  return template.replaceAll('{i}', String(i));
}

/**
 * The checkpoint storage at a location: a local directory, or `s3://bucket/prefix/` through
 * `@weir/s3` (install it; the endpoint comes from `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`,
 * credentials and region from the usual `AWS_*` variables).
 */
export async function checkpointStorageAt(location: string, env: NodeJS.ProcessEnv = process.env): Promise<CheckpointStorage> {
  if (!location.startsWith('s3://')) return localCheckpointStorage(location);
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  if (m === null || endpoint === undefined) {
    throw new Error(`checkpoint location ${location}: ${m === null ? 'expected s3://<bucket>/<prefix>/' : 'set AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL) to the store, e.g. https://s3.eu-central-1.amazonaws.com'}`);
  }
  let s3: typeof import('@weir/s3');
  try {
    s3 = await import('@weir/s3');
  } catch (err) {
    throw new Error(`checkpoint location ${location} needs the package @weir/s3 (npm install @weir/s3): ${String(err)}`);
  }
  const prefix = m[2]!;
  // credentials and region from `env` (which may not be this process's environment)
  const credentials = env.AWS_ACCESS_KEY_ID
    ? { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '', ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) } }
    : {};
  return s3.s3CheckpointStorage({
    endpoint,
    bucket: m[1]!,
    ...(prefix === '' ? {} : { prefix: prefix.endsWith('/') ? prefix : `${prefix}/` }),
    ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
    ...credentials,
  });
}
