/**
 * `npm run demo`: the ingest pipeline on the embedded Kafka cluster.
 *
 * generator -> Kafka (protobuf envelopes, mixed compression, some bad input)
 *   -> Weir: Kafka source -> parse (schema registry) -> ETL -> Parquet tables by event hour
 *   -> small files merged -> each hour announced ready (_SUCCESS + a Kafka notification)
 *
 * Midway the schema changes (a new field) and the registry hot-reloads it without a restart;
 * one stream is silent for an hour and that hour is announced anyway. At the end the demo checks
 * its own output with DuckDB and the notifications with a Kafka consumer.
 */

import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline, WatermarkStrategies, consoleLogger, jsonLinesFileSink, type DeadLetter } from '@weir/core';
import { startCluster } from '@weir/embedded-kafka';
import { bucketedFileSink, kafkaNotificationPolicy, successFilePolicy } from '@weir/files';
import { parquetFormat } from '@weir/files/parquet';
import { SchemaRegistry, broadcastRulesFile, broadcastSchemas, etlStep, parseEnvelope, type DecodedRecord } from '@weir/formats';
import { kafkaSource, type KafkaRecord } from '@weir/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { arrowTablesOf } from './ingest/arrow-tables.js';
import { HOUR, produceBadInput, produceHours, type Expected } from './ingest/generator.js';
import { EVENTS_PROTO_V1, EVENTS_PROTO_V2, STREAMS, type ProducedStream } from './ingest/schemas.js';
import { checkTables } from './ingest/verify.js';

const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);
const PER_HOUR: Record<ProducedStream, number> = { clicks: 1500, orders: 600, heartbeats: 120 };
const SILENT = { stream: 'heartbeats' as ProducedStream, hour: 3 };
const RAW = 'raw-events';
const READY = 'partitions-ready';

const started = performance.now();
const work = await mkdtemp(join(tmpdir(), 'weir-ingest-'));
const schemas = join(work, 'schemas');
const tables = join(work, 'tables');
await mkdir(schemas);
await writeFile(join(schemas, 'events.proto'), EVENTS_PROTO_V1);
await writeFile(join(schemas, 'streams.json'), JSON.stringify(STREAMS));
// ETL rules, hot-reloaded: big orders get their own table (the threshold changes midway)
const rulesFile = join(work, 'etl-rules.json');
const rulesFor = (threshold: number) => JSON.stringify({ version: threshold, streams: { orders: { routeTo: [{ when: `total >= ${threshold}`, stream: 'big-orders' }] } } });
await writeFile(rulesFile, rulesFor(90));
let threshold = 90;
const routeOf = (stream: ProducedStream, id: number) => (stream === 'orders' && (id % 1000) / 10 >= threshold ? 'big-orders' : stream);

const cluster = await startCluster({ brokers: 3, topics: [{ name: RAW, partitions: 4 }, { name: READY, partitions: 1 }] });
const kafka = new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING });
const producer = kafka.producer();
await producer.connect();
const registry = await SchemaRegistry.open({ dir: schemas });


const pipeline = new Pipeline({
  name: 'ingest',
  checkpoints: { dir: join(work, 'checkpoints'), intervalMs: 500 },
  logger: consoleLogger('error'),
});
// schema reloads and rule edits are broadcast: every step switches at the same checkpoint barrier
const schemaVersions = broadcastSchemas(pipeline, 'schemas', registry);
const rules = await broadcastRulesFile(pipeline, 'etl-rules', rulesFile, { intervalMs: 200, onError: (e) => console.error(`etl rules: ${e.message}`) });
pipeline
  .source('raw-events', kafkaSource({ clusters: [{ name: 'local', brokers: cluster.bootstrapServers, topics: [RAW] }] }), {
    watermarks: WatermarkStrategies.forBoundedOutOfOrderness<KafkaRecord>(60_000, (r) => r.timestamp).withIdleness(1_000),
  })
  .map('parse', parseEnvelope(() => schemaVersions.current()))
  // configured ETL: per-stream rules from the watched file, switched at a checkpoint barrier
  .flatMap('etl-rules', etlStep<DecodedRecord>(rules))
  // user ETL: normalise user names (the values stay protobufjs messages for the Arrow builder)
  .map('etl', (r: DecodedRecord) => {
    if (typeof r.value.user === 'string') r.value.user = r.value.user.toUpperCase();
    return r;
  })
  .sink(
    'tables',
    bucketedFileSink<DecodedRecord>({
      storage: tables,
      streamOf: (r) => r.stream,
      format: parquetFormat({ toArrow: arrowTablesOf(() => schemaVersions.current()), compression: 'zstd' }),
      merge: { mode: 'on-ready', targetBytes: 64 << 20 },
      readiness: {
        delayMs: 0,
        streams: Object.keys(STREAMS),
        policies: [successFilePolicy(), kafkaNotificationPolicy({ topic: READY, producer })],
      },
    }),
  );
pipeline
  .deadLetters()
  .sink('dead-letter-files', jsonLinesFileSink<DeadLetter>({ dir: join(work, 'dead-letters'), format: (d) => JSON.stringify({ step: d.step, error: d.error }) }));

const job = pipeline.start();
const parsedIn = () => job.status().steps.find((s) => s.step === 'parse')?.recordsIn ?? 0;
async function until(what: string, cond: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`demo: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// phase 1: hours 0-2 with schema v1, plus bad input
const expected: Expected = { counts: new Map(), orderTotal: 0, good: 0, bad: 0 };
const nextId = await produceHours({ producer, topic: RAW, snapshot: registry.current(), t0: T0, hours: [0, 1, 2], perHour: PER_HOUR, silent: SILENT, withReferrer: false, expected, firstId: 0, routeOf });
await produceBadInput(producer, RAW, T0 + 90 * 60_000, expected);
await until('phase 1 to be read', () => parsedIn() >= expected.good + expected.bad);
await job.checkpoint();

// the schema changes: Click gets `referrer`; the registry reloads it without a restart
await writeFile(join(schemas, 'events.proto'), EVENTS_PROTO_V2);
const { snapshot: v2 } = await registry.reload();
// the ETL rules change too; every step switches at the next checkpoint barrier
await writeFile(rulesFile, rulesFor(95));
threshold = 95;
await until('the new schema and ETL rules to take effect', () => rules.version() === 1 && schemaVersions.version() === 1);
await produceHours({ producer, topic: RAW, snapshot: v2, t0: T0, hours: [3, 4, 5], perHour: PER_HOUR, silent: SILENT, withReferrer: true, expected, firstId: nextId, routeOf });
await until('phase 2 to be read', () => parsedIn() >= expected.good + expected.bad);
const result = await job.stop({ mode: 'drain' });
const seconds = (performance.now() - started) / 1000;

// ---- check the output -------------------------------------------------------------
const problems: string[] = [];
const check = await checkTables(tables, Object.keys(STREAMS));
let written = 0;
for (const [key, n] of expected.counts) {
  const [stream, h] = key.split('|') as [string, string];
  const at = new Date(T0 + Number(h) * HOUR);
  const part = `${stream}|dt=${at.toISOString().slice(0, 10)}/hour=${String(at.getUTCHours()).padStart(2, '0')}`;
  const got = check.countsByPartition.get(part) ?? 0;
  written += got;
  if (got !== n) problems.push(`${part}: ${got} rows, expected ${n}`);
}
if (Math.abs(check.orderTotal - expected.orderTotal) > 1e-6 * expected.orderTotal) problems.push(`order total ${check.orderTotal} != ${expected.orderTotal}`);
if (check.hiddenFiles.length > 0) problems.push(`hidden files left: ${check.hiddenFiles.join(', ')}`);
const clickCols = (h: number) => check.columnsByPartition.get(`clicks|dt=2026-11-20/hour=0${h}`) ?? [];
if (clickCols(0).includes('referrer') || !clickCols(5).includes('referrer')) problems.push('schema change not visible as a new column (referrer)');
const deadDir = join(work, 'dead-letters');
const deadLines = (await Promise.all((await readdir(deadDir)).filter((n) => !n.startsWith('.')).map((n) => readFile(join(deadDir, n), 'utf8'))))
  .flatMap((t) => t.split('\n'))
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { step: string; error: string });
if (deadLines.length !== expected.bad) problems.push(`${deadLines.length} dead letters, expected ${expected.bad}`);
if (written + deadLines.length !== expected.good + expected.bad) problems.push('reconciliation failed: in != out + dead letters');

// notifications: in hour order per stream, one per partition, the silent hour included
const consumer = kafka.consumer({ groupId: 'demo-check' });
await consumer.connect();
await consumer.subscribe({ topic: READY, fromBeginning: true });
const notes: Array<{ stream: string; partition: string; recordCount: number; files: string[]; start: number }> = [];
await consumer.run({ eachMessage: async ({ message }) => void notes.push(JSON.parse(message.value!.toString())) });
await until('notifications', () => notes.length >= 6 * Object.keys(STREAMS).length, 20_000).catch(() => undefined);
await consumer.disconnect();
for (const stream of Object.keys(STREAMS)) {
  const mine = notes.filter((n) => n.stream === stream);
  const starts = mine.map((n) => n.start);
  if (mine.length !== 6) problems.push(`${stream}: ${mine.length} notifications, expected 6`);
  if (starts.some((s, i) => i > 0 && s <= starts[i - 1]!)) problems.push(`${stream}: notifications out of hour order`);
}
// every announced partition lists exactly its final (committed, merged) files
for (const n of notes) {
  const dir = join(tables, n.stream, n.partition);
  const visible = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.parquet')).sort();
  if (JSON.stringify(visible) !== JSON.stringify([...n.files].sort())) problems.push(`${n.stream}/${n.partition}: announced ${n.files.length} files, ${visible.length} visible`);
}
const silentNote = notes.find((n) => n.stream === SILENT.stream && n.start === T0 + SILENT.hour * HOUR);
if (silentNote === undefined || silentNote.recordCount !== 0) problems.push('the silent hour was not announced as an empty partition');

await producer.disconnect();
registry.close();
await cluster.stop();

console.log(`Weir ingest demo: Kafka -> protobuf -> ETL -> Parquet -> merge -> ready, on the embedded cluster (${seconds.toFixed(1)} s, ${result.outcome})`);
console.log(`  events produced         ${expected.good + expected.bad} (${expected.bad} of them bad input)`);
console.log(`  rows in Parquet         ${written} in ${check.countsByPartition.size} partitions of ${Object.keys(STREAMS).length} streams (DuckDB)`);
console.log(`  dead letters            ${deadLines.length}: ${[...new Set(deadLines.map((d) => d.error.split(':')[0]))].join(', ')}`);
console.log(`  notifications           ${notes.length} (hour order per stream; silent ${SILENT.stream} hour ${SILENT.hour} announced empty: ${silentNote ? 'yes' : 'no'})`);
console.log(`  ETL rules               v${rules.current().version} after a hot reload; big orders routed: ${[...expected.counts].filter(([k]) => k.startsWith('big-orders|')).reduce((n, [, v]) => n + v, 0)}`);
console.log(`  schema change           referrer column in later clicks files: ${clickCols(5).includes('referrer') ? 'yes' : 'no'}`);
console.log(`  sample click (DuckDB)   ${JSON.stringify(check.sampleClick, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
console.log(`  output                  ${tables}`);
if (problems.length > 0) {
  console.log(`FAILED:\n  ${problems.join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log('All checks passed.');
  await rm(work, { recursive: true, force: true });
}
