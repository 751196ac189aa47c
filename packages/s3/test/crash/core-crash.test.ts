import { afterAll, beforeAll } from 'vitest';
import { coreCrashTest } from '../../../core/test/crash/crash-suite.js';
import { startS3, type TestS3 } from '../s3-server.js';
import { crashEnv } from './s3-variant.js';

// the core crash test (keyed counting -> two-phase-commit files, SIGKILLed) with its checkpoints on S3
let s3: TestS3;
beforeAll(async () => void (s3 = await startS3()));
afterAll(() => s3.close());

coreCrashTest({ backend: 'classic-level', label: 'checkpoints on S3', env: () => crashEnv(s3, 'core/') });
if (process.env.WEIR_S3_ALL_BACKENDS === '1') coreCrashTest({ backend: 'rocksdb', label: 'checkpoints on S3', env: () => crashEnv(s3, 'core-rocksdb/') });
