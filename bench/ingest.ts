/**
 * pipeline.ingest-rows-per-s: Kafka -> parse (protobuf envelopes) -> Parquet tables by event
 * hour, end to end on the embedded cluster, bounded (the job ends when the topic is read).
 * The topic is filled once; a warm-up run, then each round reads all of it into fresh tables.
 */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline, WatermarkStrategies, silentLogger } from '@weir/core';
import { startCluster } from '@weir/embedded-kafka';
import { bucketedFileSink } from '@weir/files';
import { parquetFormat } from '@weir/files/parquet';
import { SchemaRegistry, parseEnvelope, type DecodedRecord } from '@weir/formats';
import { arrowTablesOf } from '../examples/ingest/arrow-tables.js';
import { kafkaSource, type KafkaRecord } from '@weir/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { produceHours, type Expected } from '../examples/ingest/generator.js';
import { EVENTS_PROTO_V1, STREAMS } from '../examples/ingest/schemas.js';
import type { BenchResult } from './support/result.js';
import { ROUNDS, QUICK } from './support/sizes.js';
import { alternate, measured } from './support/stats.js';

const PER_HOUR = { clicks: 10_000, orders: 4_000, heartbeats: 1_000 };
const HOURS = QUICK ? [0] : [0, 1, 2, 3];

export async function run(): Promise<BenchResult[]> {
  const work = await mkdtemp(join(tmpdir(), 'weir-bench-ingest-'));
  const cluster = await startCluster({ brokers: 1, topics: [{ name: 'raw-events', partitions: 4 }] });
  try {
    await mkdir(join(work, 'schemas'));
    await writeFile(join(work, 'schemas', 'events.proto'), EVENTS_PROTO_V1);
    await writeFile(join(work, 'schemas', 'streams.json'), JSON.stringify(STREAMS));
    const registry = await SchemaRegistry.open({ dir: join(work, 'schemas') });
    const producer = new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    const expected: Expected = { counts: new Map(), orderTotal: 0, good: 0, bad: 0 };
    const t0 = Date.UTC(2026, 10, 20);
    await produceHours({ producer, topic: 'raw-events', snapshot: registry.current(), t0, hours: HOURS, perHour: PER_HOUR, silent: { stream: 'heartbeats', hour: -1 }, withReferrer: false, expected, firstId: 0 });
    await producer.disconnect();

    /** Rows/s of one bounded run over the whole topic, into its own tables and checkpoints. */
    const ingest = async (round: number): Promise<number> => {
      const out = join(work, `run-${round}`);
      const pipeline = new Pipeline({ name: 'bench-ingest', checkpoints: { dir: join(out, 'chk'), intervalMs: 2000 }, logger: silentLogger });
      pipeline
        .source('raw', kafkaSource({ clusters: [{ name: 'local', brokers: cluster.bootstrapServers, topics: ['raw-events'] }], boundedness: 'bounded' }), {
          watermarks: WatermarkStrategies.forBoundedOutOfOrderness<KafkaRecord>(60_000, (r) => r.timestamp),
        })
        .map('parse', parseEnvelope(registry))
        .sink('tables', bucketedFileSink<DecodedRecord>({ storage: join(out, 'tables'), streamOf: (r) => r.stream, format: parquetFormat({ toArrow: arrowTablesOf(() => registry.current()), compression: 'zstd' }) }));
      const started = performance.now();
      const job = pipeline.start();
      await job.done;
      const seconds = (performance.now() - started) / 1000;
      const rows = job.status().steps.find((s) => s.step === 'tables')!.recordsIn;
      if (rows !== expected.good) throw new Error(`ingest bench: ${rows} rows written, expected ${expected.good}`);
      await rm(out, { recursive: true, force: true });
      return rows / seconds;
    };
    const r = await alternate({ ingest }, { rounds: ROUNDS });
    registry.close();
    return [measured('pipeline.ingest-rows-per-s', 'rows/s', r.ingest)];
  } finally {
    await cluster.stop();
    await rm(work, { recursive: true, force: true });
  }
}
