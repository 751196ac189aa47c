import { afterAll, beforeAll, describe, it } from 'vitest';
import { s3CheckpointStorage } from '../src/index.js';
import { History, historyCases } from '../../core/test/checkpoint/savepoint-set-history.js';
import { startS3, type TestS3 } from './s3-server.js';

// The savepoint-set search of @weir/core over instance locations on an S3-compatible store
// (s3rver, or WEIR_S3_ENDPOINT): the same histories as on local directories.
let s3: TestS3;
beforeAll(async () => void (s3 = await startS3()));
afterAll(() => s3.close());

describe('findSavepointSet on S3 checkpoint storage', () => {
  historyCases.forEach((c, n) => {
    it(c.name, async () => {
      await c.run(new History((i) => s3CheckpointStorage(s3.options(`case-${n}/instance-${i}/`))));
    });
  });
});
