/**
 * Jobs chained by readiness, no scheduler polling directories. Job A (slow on purpose) writes an
 * hourly Parquet table and announces every finished hour twice: `_SUCCESS` in the partition and a
 * record on the Kafka topic `partitions-ready`. Job B (stream to stream) follows A's
 * announcements on Kafka and reads each hour the moment it is announced; job C (batch to batch)
 * is a bounded backfill of the same hours that starts together with A and waits for each
 * `_SUCCESS`. Neither ever sees a partial hour, although A's committed part files of the current
 * hour are visible long before the hour is announced.
 * `node --conditions=weir-source --import tsx examples/chained-jobs/chained-jobs.ts`
 */

import { mkdtempSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { Pipeline, WatermarkStrategies, generatorSource, memorySink, silentLogger } from '@weir/core';
import { bucketedFileSink, callbackPolicy, fileSource, kafkaAnnouncements, kafkaNotificationPolicy, partitionTimeWatermarks, successFilePolicy, type Row } from '@weir/files';
import { parquetFormat } from '@weir/files/parquet';
import { Kafka, logLevel } from 'kafkajs';

export const HOUR = 3_600_000;
export const T0 = Date.UTC(2026, 5, 1);

export interface Reading {
  sensor: string;
  value: number;
  ts: number;
}

/** What happened, for checks: per hour (`dt=…/hour=…`), when A announced it and how many rows it had; when B and C read each row. */
export interface ChainObservations {
  announced: Map<string, { at: number; records: number }>;
  /** Hours seen with committed part files but no `_SUCCESS` yet (partial hours a directory scan would read). */
  partialSeen: Set<string>;
  streamReads: Array<{ hour: string; at: number }>;
  batchReads: Array<{ hour: string; at: number }>;
}

const Utf8 = new arrow.Utf8();
const toArrow = (rs: readonly Reading[]) =>
  new arrow.Table({
    sensor: arrow.vectorFromArray(rs.map((r) => r.sensor), Utf8),
    value: arrow.vectorFromArray(rs.map((r) => r.value), new arrow.Float64()),
    ts: arrow.vectorFromArray(rs.map((r) => r.ts), new arrow.TimestampMillisecond()),
  });

const hourOf = (ts: number) => {
  const d = new Date(ts).toISOString();
  return `dt=${d.slice(0, 10)}/hour=${d.slice(11, 13)}`;
};

/** Run A, B and C together over `hours` hours of `perHour` readings; A takes about `msPerHour` per hour. */
export async function runChain(brokers: string[], dir: string, o: { hours: number; perHour: number; msPerHour: number }): Promise<ChainObservations> {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const topic = `partitions-ready-${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const tables = join(dir, 'tables');
  const obs: ChainObservations = { announced: new Map(), partialSeen: new Set(), streamReads: [], batchReads: [] };
  const to = T0 + o.hours * HOUR;

  // A: a slow producer of hourly tables
  const a = new Pipeline({ name: 'job-a', checkpoints: { dir: join(dir, 'a-checkpoints'), intervalMs: 100 }, logger: silentLogger });
  const total = o.hours * o.perHour;
  const pause = o.msPerHour / (o.perHour / 20);
  a.source('readings', generatorSource({ recordsPerSplit: total, batchSize: 20, generate: (_s, i) => ({ sensor: `s${i % 5}`, value: i, ts: T0 + Math.floor((i * HOUR) / o.perHour) }) }), {
    watermarks: WatermarkStrategies.forMonotonousTimestamps<Reading>((r) => r.ts),
  })
    .asyncMap('slowly', async (r: Reading) => {
      if (r.value % 20 === 19) await new Promise((res) => setTimeout(res, pause));
      return r;
    }, { concurrency: 1 })
    .sink(
      'table',
      bucketedFileSink<Reading>({
        storage: tables,
        streamOf: () => 'readings',
        format: parquetFormat({ toArrow }),
        merge: { mode: 'off' }, // keep the per-checkpoint parts: partial hours stay visible to a directory scan
        readiness: {
          delayMs: 0,
          policies: [
            callbackPolicy('observe', (p) => void obs.announced.set(p.partition, { at: Date.now(), records: p.recordsOut }), { idempotent: true }),
            successFilePolicy(),
            kafkaNotificationPolicy({ topic, producer }),
          ],
        },
      }),
    );

  // B: stream to stream, following A's Kafka announcements
  const b = new Pipeline({ name: 'job-b', logger: silentLogger });
  const bOut = memorySink<Row>();
  b.source('a-table', fileSource({ storage: tables, tables: ['readings'], from: T0, readiness: kafkaAnnouncements({ topic, consumer: (groupId) => kafka.consumer({ groupId }) }) }), {
    watermarks: partitionTimeWatermarks<Row>((r) => r.ts as number),
  })
    .map('observe', (r: Row) => {
      obs.streamReads.push({ hour: hourOf(r.ts as number), at: Date.now() });
      return r;
    })
    .sink('out', bOut);

  // C: batch to batch, the same hours, waiting for each `_SUCCESS`
  const c = new Pipeline({ name: 'job-c', logger: silentLogger });
  c.source('a-table', fileSource({ storage: tables, tables: ['readings'], from: T0, to, pollIntervalMs: 50 }), { watermarks: partitionTimeWatermarks<Row>((r) => r.ts as number) })
    .map('observe', (r: Row) => {
      obs.batchReads.push({ hour: hourOf(r.ts as number), at: Date.now() });
      return r;
    })
    .sink('out', memorySink<Row>());

  // what a scheduler scanning directories would see: committed parts of hours not announced yet
  let watching = true;
  const watch = (async () => {
    while (watching) {
      for (let h = 0; h < o.hours; h++) {
        const hour = hourOf(T0 + h * HOUR);
        const names = await readdir(join(tables, 'readings', hour)).catch(() => [] as string[]);
        if (names.some((n) => n.endsWith('.parquet') && !n.startsWith('.')) && !names.includes('_SUCCESS')) obs.partialSeen.add(hour);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();

  const jobB = b.start();
  const jobC = c.start();
  const resultA = await a.run();
  if (resultA.outcome !== 'finished') throw new Error(`job A: ${resultA.outcome}`);
  const resultC = await jobC.done;
  if (resultC.outcome !== 'finished') throw new Error(`job C: ${resultC.outcome}`);
  // B follows forever: stop it once it read every announced row (or after 30 s)
  for (let i = 0; i < 600 && obs.streamReads.length < total; i++) await new Promise((r) => setTimeout(r, 50));
  await jobB.stop({ mode: 'cancel' });
  watching = false;
  await watch;
  await producer.disconnect();
  return obs;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { startCluster } = await import('@weir/embedded-kafka');
  const cluster = await startCluster({ brokers: 1 });
  const obs = await runChain(cluster.bootstrapServers, mkdtempSync(join(tmpdir(), 'weir-chain-')), { hours: 4, perHour: 600, msPerHour: 1500 });
  for (const [hour, a] of obs.announced) {
    const firstB = Math.min(...obs.streamReads.filter((r) => r.hour === hour).map((r) => r.at));
    console.log(`${hour}: announced with ${a.records} rows; B read ${obs.streamReads.filter((r) => r.hour === hour).length} rows ${firstB - a.at} ms after; C read ${obs.batchReads.filter((r) => r.hour === hour).length}`);
  }
  await cluster.stop();
}
