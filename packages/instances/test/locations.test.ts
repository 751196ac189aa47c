// Checkpoint locations: templates, local directories and s3:// prefixes (through @weir/s3,
// against the S3-compatible test server), written and read back through the storage.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointStorage } from '@weir/core';
import { checkpointLocation, checkpointStorageAt } from '../src/index.js';
import { startS3, type TestS3 } from '../../s3/test/s3-server.js';

let s3: TestS3;
beforeAll(async () => void (s3 = await startS3()));
afterAll(() => s3.close());

async function roundTrip(storage: CheckpointStorage): Promise<string[]> {
  await storage.filesFor(1, 'savepoint', 'step').write('state', new TextEncoder().encode('x'));
  await storage.publish({ formatVersion: 2, id: 1, kind: 'savepoint', jobName: 'j', createdAtMs: 1, subtask: 0, parallelism: 1, steps: {} });
  return (await storage.listSavepoints!()).map((c) => c.path);
}

describe('checkpoint locations', () => {
  it('a template names one location per instance', () => {
    expect(checkpointLocation('s3://b/jobs/orders/instance-{i}/', 3)).toBe('s3://b/jobs/orders/instance-3/');
    expect(() => checkpointLocation('/data/orders', 0)).toThrow(/has no \{i\}: every instance needs its own location, e\.g\. \/data\/orders\/instance-\{i\}/);
  });

  it('a local directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-loc-'));
    try {
      expect(await roundTrip(await checkpointStorageAt(join(dir, 'instance-0')))).toEqual([join(dir, 'instance-0', 'savepoints', 'sp-1')]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an s3:// prefix, with endpoint, credentials and region from the given environment', async () => {
    const o = s3.options('');
    const env = { AWS_ENDPOINT_URL_S3: o.endpoint, AWS_REGION: o.region, AWS_ACCESS_KEY_ID: o.credentials!.accessKeyId, AWS_SECRET_ACCESS_KEY: o.credentials!.secretAccessKey };
    const location = `s3://${o.bucket}/${s3.prefix}instance-0/`;
    expect(await roundTrip(await checkpointStorageAt(location, env))).toEqual([`${location}savepoints/sp-1`]);
    await expect(checkpointStorageAt(location, {})).rejects.toThrow(/set AWS_ENDPOINT_URL_S3/);
  });
});
