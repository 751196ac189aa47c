/**
 * The job the crash test SIGKILLs: a deterministic source of events of 20 streams over
 * several hours of event time -> bucketed JSON-lines files with continuous merges, `_SUCCESS`
 * markers and a Kafka-style notification log (an append-only file, like a topic).
 * argv: <outDir> <checkpointDir> <notificationsFile> <splits> <recordsPerSplit> <ratePerSecond>
 * `WEIR_CRASH_STORAGE`: a module whose `checkpointStorage(checkpointDir)` and `fileStorage(outDir)`
 * replace the local directories; `WEIR_CRASH_STREAMS` sets the number of streams (default 20).
 */

import { appendFile, readFile } from 'node:fs/promises';
import { Pipeline, WatermarkStrategies, generatorSource, silentLogger, type CheckpointStorage } from '@weir/core';
import { bucketedFileSink, kafkaNotificationPolicy, successFilePolicy, type FileStorage } from '../../src/index.js';

const [outDir, checkpointDir, notifications, splits, perSplit, rate] = process.argv.slice(2);
const T0 = Date.UTC(2024, 4, 1);
const STREAMS = Number(process.env.WEIR_CRASH_STREAMS ?? 20);

interface Ev {
  stream: string;
  id: string;
  ts: number;
}

const storageModule = process.env.WEIR_CRASH_STORAGE;
const custom = storageModule ? ((await import(storageModule)) as { checkpointStorage(name: string): CheckpointStorage; fileStorage(name: string): FileStorage }) : undefined;
const checkpoints = custom !== undefined ? { storage: custom.checkpointStorage(checkpointDir!), intervalMs: 150 } : { dir: checkpointDir!, intervalMs: 150 };
const p = new Pipeline({ name: 'files-crash-test', checkpoints, logger: silentLogger, restart: { kind: 'none' } });
p.source(
  'events',
  generatorSource<Ev>({
    splits: Number(splits),
    recordsPerSplit: Number(perSplit),
    ratePerSecond: Number(rate),
    batchSize: 100,
    generate: (s, o) => ({ stream: `s${(o * 3 + s) % STREAMS}`, id: `${s}-${o}`, ts: T0 + o * 5_000 + s }),
  }),
  { watermarks: WatermarkStrategies.forMonotonousTimestamps<Ev>((e) => e.ts) },
).sink(
  'files',
  bucketedFileSink<Ev>({
    storage: custom !== undefined ? custom.fileStorage(outDir!) : outDir!,
    streamOf: (e) => e.stream,
    merge: { mode: 'continuous', minFiles: 4, targetBytes: 64 * 1024 },
    readiness: {
      streams: ['quiet'], // never has data: its empty partitions are announced too
      policies: [
        successFilePolicy(),
        kafkaNotificationPolicy({
          topic: 'ready',
          // the "topic": an append-only log; after a crash while publishing, look the record up
          publish: async (records) => appendFile(notifications!, records.map((r) => JSON.stringify({ key: r.key, value: JSON.parse(r.value) }) + '\n').join('')),
          wasPublished: async (record) => {
            const log = await readFile(notifications!, 'utf8').catch(() => '');
            const version = (JSON.parse(record.value) as { version: number }).version;
            return log.split('\n').some((l) => l !== '' && (JSON.parse(l) as { key: string; value: { version: number } }).key === record.key && (JSON.parse(l) as { value: { version: number } }).value.version === version);
          },
        }),
      ],
    },
  }),
);

const result = await p.run();
process.stdout.write(`${JSON.stringify({ done: result.outcome })}\n`);
