/**
 * Throughput of the bucketed writer on the local disk: records/s into JSON-lines parts over
 * many streams and hours, and the barrier (roll every bucket) and commit (publish, merge,
 * announce) times. Run: node --conditions=weir-source --import tsx packages/files/scripts/bench.ts
 * Env: RECORDS (default 1M), STREAMS (200), CHECKPOINT_EVERY (100k records).
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@weir/core';
import { bucketedFileSink } from '../src/index.js';

const RECORDS = Number(process.env.RECORDS ?? 1_000_000);
const STREAMS = Number(process.env.STREAMS ?? 200);
const EVERY = Number(process.env.CHECKPOINT_EVERY ?? 100_000);
const BATCH = 1000;
const T0 = Date.UTC(2024, 4, 1);
const SPAN = 6 * 3_600_000; // six hours of event time

interface Ev {
  stream: string;
  id: number;
  user: string;
  amount: number;
}

const dir = await mkdtemp(join(tmpdir(), 'weir-files-bench-'));
try {
  const sink = bucketedFileSink<Ev>({ storage: dir, streamOf: (e) => e.stream });
  const ctx = { stepName: 'files', subtask: 0, parallelism: 1, restoredCheckpointId: undefined, nextCheckpointId: 1, logger: silentLogger, checkpointIntervalMs: 10_000, checkpointTimeoutMs: 600_000 };
  const committer = await sink.createCommitter(ctx);
  const writer = await sink.createWriter(ctx);
  const streams = Array.from({ length: STREAMS }, (_, i) => `stream-${i}`);
  let writeMs = 0;
  let barrierMs = 0;
  let commitMs = 0;
  let checkpoints = 0;
  const t0 = performance.now();
  for (let start = 0; start < RECORDS; start += BATCH) {
    const records: Ev[] = [];
    const timestamps: number[] = [];
    for (let i = start; i < Math.min(RECORDS, start + BATCH); i++) {
      records.push({ stream: streams[i % STREAMS]!, id: i, user: `u${i % 9973}`, amount: i % 1000 });
      timestamps.push(T0 + Math.floor((i / RECORDS) * SPAN));
    }
    const w0 = performance.now();
    await writer.write(records, timestamps);
    await writer.onWatermark!(timestamps[timestamps.length - 1]! - 1);
    writeMs += performance.now() - w0;
    if ((start + BATCH) % EVERY === 0 || start + BATCH >= RECORDS) {
      checkpoints++;
      if (start + BATCH >= RECORDS) await writer.onWatermark!(Number.MAX_SAFE_INTEGER);
      const b0 = performance.now();
      const c = await writer.prepareCommit(checkpoints);
      const b1 = performance.now();
      await committer.commit(checkpoints, c);
      barrierMs += b1 - b0;
      commitMs += performance.now() - b1;
    }
  }
  const total = performance.now() - t0;
  console.log(
    JSON.stringify({
      records: RECORDS,
      streams: STREAMS,
      checkpoints,
      recordsPerSecond: Math.round(RECORDS / (total / 1000)),
      writeRecordsPerSecond: Math.round(RECORDS / (writeMs / 1000)),
      avgBarrierMs: Math.round(barrierMs / checkpoints),
      avgCommitMs: Math.round(commitMs / checkpoints),
      totalMs: Math.round(total),
    }),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
