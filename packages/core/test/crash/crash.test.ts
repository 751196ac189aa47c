import { coreCrashTest } from './crash-suite.js';

for (const backend of ['classic-level', 'rocksdb'] as const) coreCrashTest({ backend });
