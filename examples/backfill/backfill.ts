/**
 * One pipeline for live and history. The plays of `examples/realtime-features` go to Kafka; the
 * live job computes features from Kafka; the ingest job writes the same plays as hourly Parquet
 * tables (`@weir/files`, announced with `_SUCCESS`); the backfill job runs the *same feature
 * steps* (`playFeatures`) over those files with `fileSource`. Both must produce the same rows.
 * `node --conditions=weir-source --import tsx examples/backfill/backfill.ts` runs all three on an
 * embedded cluster and compares.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { Pipeline, WatermarkStrategies, jsonLinesFileSink, silentLogger, type JobResult } from '@weir/core';
import { bucketedFileSink, fileSource, partitionTimeWatermarks, successFilePolicy, type Row } from '@weir/files';
import { parquetFormat } from '@weir/files/parquet';
import { kafkaSource, type KafkaRecord } from '@weir/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { HOUR, playAt, playFeatures, type Play } from '../realtime-features/features-job.js';

export const START = Date.UTC(2026, 0, 1);

/** Produce plays 0..n-1 to `topic`, keyed by (user, creator): a key's plays stay in order in one partition. */
export async function producePlays(brokers: string[], topic: string, n: number, partitions = 2): Promise<void> {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const messages = Array.from({ length: n }, (_, o) => {
    const p = playAt(o);
    return { key: `${p.user}/${p.creator}`, value: JSON.stringify(p), timestamp: String(p.ts) };
  });
  for (let i = 0; i < messages.length; i += 1000) await producer.send({ topic, messages: messages.slice(i, i + 1000) });
  await producer.disconnect();
}

const playsFromKafka = (brokers: string[], topic: string) =>
  kafkaSource({ clusters: [{ name: 'local', brokers, topics: [topic] }], boundedness: 'bounded' });
const parse = (r: KafkaRecord): Play => JSON.parse(r.value!.toString('utf8')) as Play;

/** The live job: Kafka -> features (JSON lines in `<dir>/features`). */
export function liveFeatures(brokers: string[], topic: string, dir: string): Promise<JobResult> {
  const pipeline = new Pipeline({ name: 'live-features', checkpoints: { dir: join(dir, 'checkpoints'), intervalMs: 1000 }, logger: silentLogger });
  const plays = pipeline
    .source('plays', playsFromKafka(brokers, topic), { watermarks: WatermarkStrategies.forBoundedOutOfOrderness<KafkaRecord>(30_000, (r) => r.timestamp) })
    .map('parse', parse);
  playFeatures(plays).sink('features', jsonLinesFileSink({ dir: join(dir, 'features') }));
  return pipeline.run();
}

const Utf8 = new arrow.Utf8();
const playsToArrow = (ps: readonly Play[]): arrow.Table =>
  new arrow.Table({
    playId: arrow.vectorFromArray(ps.map((p) => p.playId), Utf8),
    user: arrow.vectorFromArray(ps.map((p) => p.user), Utf8),
    creator: arrow.vectorFromArray(ps.map((p) => p.creator), Utf8),
    video: arrow.vectorFromArray(ps.map((p) => p.video), Utf8),
    seconds: arrow.vectorFromArray(ps.map((p) => p.seconds), new arrow.Int32()),
    ts: arrow.vectorFromArray(ps.map((p) => p.ts), new arrow.TimestampMillisecond()),
  });

/** The ingest job: Kafka -> hourly Parquet table `plays` under `tables`, each hour announced with `_SUCCESS`. */
export function ingestPlays(brokers: string[], topic: string, tables: string, dir: string): Promise<JobResult> {
  const pipeline = new Pipeline({ name: 'ingest-plays', checkpoints: { dir: join(dir, 'ingest-checkpoints'), intervalMs: 500 }, logger: silentLogger });
  pipeline
    .source('plays', playsFromKafka(brokers, topic), { watermarks: WatermarkStrategies.forBoundedOutOfOrderness<KafkaRecord>(60_000, (r) => r.timestamp) })
    .map('parse', parse)
    .sink('tables', bucketedFileSink<Play>({ storage: tables, streamOf: () => 'plays', timestampOf: (p) => p.ts, format: parquetFormat({ toArrow: playsToArrow }), readiness: { delayMs: 0, policies: [successFilePolicy()] } }));
  return pipeline.run();
}

/** A Parquet row of the `plays` table back as a Play. */
const playOf = (row: Row): Play => ({ playId: row.playId as string, user: row.user as string, creator: row.creator as string, video: row.video as string, seconds: row.seconds as number, ts: row.ts as number });

/** The backfill: the same feature steps over the files, hours [from, to). */
export function backfillFeatures(tables: string, from: number, to: number, dir: string): Promise<JobResult> {
  const pipeline = new Pipeline({ name: 'backfill-features', checkpoints: { dir: join(dir, 'checkpoints'), intervalMs: 1000 }, logger: silentLogger });
  const plays = pipeline.source('plays', fileSource({ storage: tables, tables: ['plays'], from, to, recordOf: playOf }), {
    // rows of an hour may be in any order across files: event time advances by whole partitions, so no row is ever late
    watermarks: partitionTimeWatermarks<Play>((p) => p.ts),
  });
  playFeatures(plays).sink('features', jsonLinesFileSink({ dir: join(dir, 'features') }));
  return pipeline.run();
}

/** Hours covered by plays 0..n-1. */
export function hoursOf(n: number): { from: number; to: number } {
  let max = -Infinity;
  let min = Infinity;
  for (let o = 0; o < n; o++) {
    max = Math.max(max, playAt(o).ts);
    min = Math.min(min, playAt(o).ts);
  }
  return { from: Math.floor(min / HOUR) * HOUR, to: (Math.floor(max / HOUR) + 1) * HOUR };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { startCluster } = await import('@weir/embedded-kafka');
  const { committedJsonLines } = await import('../support/committed-lines.js');
  const cluster = await startCluster({ brokers: 1 });
  const work = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'weir-backfill-'));
  const n = 4000;
  await producePlays(cluster.bootstrapServers, 'plays', n);
  await liveFeatures(cluster.bootstrapServers, 'plays', join(work, 'live'));
  await ingestPlays(cluster.bootstrapServers, 'plays', join(work, 'tables'), join(work, 'ingest'));
  const { from, to } = hoursOf(n);
  await backfillFeatures(join(work, 'tables'), from, to, join(work, 'backfill'));
  const sorted = (dir: string) => committedJsonLines<unknown>(join(dir, 'features')).map((r) => JSON.stringify(r)).sort();
  const live = sorted(join(work, 'live'));
  const backfill = sorted(join(work, 'backfill'));
  const same = live.length === backfill.length && live.every((r, i) => r === backfill[i]);
  console.log(`${live.length} live rows, ${backfill.length} backfill rows: ${same ? 'identical' : 'DIFFERENT'} (${work})`);
  await cluster.stop();
  if (!same) process.exit(1);
}
