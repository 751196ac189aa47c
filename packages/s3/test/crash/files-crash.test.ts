import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { filesCrashTest } from '../../../files/test/crash/crash-suite.js';
import { startS3, type TestS3 } from '../s3-server.js';
import { crashEnv, latestS3Checkpoint } from './s3-variant.js';

// the file sink's crash test with checkpoints and output files on S3; the checks read a copy
// of what the store holds (taken from s3rver's data directory, not through Weir's client)
let s3: TestS3;
const copies: string[] = [];
beforeAll(async () => void (s3 = await startS3()));
afterAll(async () => {
  await s3.close();
  for (const d of copies) await rm(d, { recursive: true, force: true });
});

filesCrashTest({
  label: 'checkpoints and files on S3',
  env: () => crashEnv(s3, 'files/'),
  // every part file costs several requests, and s3rver serves ~100-150 a second on 2 busy cores
  streams: 6,
  killWindowMs: 2500,
  recordsPerKill: 5000,
  timeoutMs: 240_000,
  latestCheckpoint: (chk) => latestS3Checkpoint(s3, 'files/', chk),
  outputDir: async (out) => {
    const copy = await mkdtemp(join(tmpdir(), 'weir-s3-copy-'));
    copies.push(copy);
    await s3.mirror(`files/${out.slice(out.lastIndexOf('/') + 1)}/`, copy);
    return copy;
  },
});
