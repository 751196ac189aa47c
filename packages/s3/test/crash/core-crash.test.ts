import { afterAll, beforeAll } from 'vitest';
import { coreCrashTest } from '../../../core/test/crash/crash-suite.js';
import { startS3, type TestS3 } from '../s3-server.js';
import { crashEnv, latestS3Checkpoint } from './s3-variant.js';

// the core crash test (keyed counting -> two-phase-commit files, SIGKILLed) with its checkpoints on S3
let s3: TestS3;
beforeAll(async () => void (s3 = await startS3()));
afterAll(() => s3.close());

// each run is killed within 1.5 s after its first checkpoint on the store, so every run restores from S3 and writes to it
const variant = (sub: string) => ({ label: 'checkpoints on S3', env: () => crashEnv(s3, sub), killAfterCheckpoint: { latest: (chk: string) => latestS3Checkpoint(s3, sub, chk), windowMs: 1500 }, recordsPerKill: 4000 });
coreCrashTest({ backend: 'classic-level', ...variant('core/') });
if (process.env.WEIR_S3_ALL_BACKENDS === '1') coreCrashTest({ backend: 'rocksdb', ...variant('core-rocksdb/') });
