/**
 * One instance of the scale-out job: orders (a 12-partition topic keyed by order id) -> per
 * customer tumbling-window sums -> an exactly-once Kafka sink and an exactly-once file sink
 * (JSON lines) on S3-compatible object storage. `keyBy(customer)` is not the topic's key, so on
 * several instances the records cross instances through the job's repartition topic
 * (`kafkaExchange`). Checkpoints are on the object store too, so the instance keeps nothing on
 * its disk. SIGTERM suspends (savepoint); the driver reads the savepoint from the store.
 *
 * env: set by `InstanceSet` (@weir/instances): WEIR_INSTANCE, WEIR_INSTANCES, WEIR_CHECKPOINTS
 *      (this instance's `s3://bucket/prefix/`), WEIR_RESTORE_FROM (the savepoint set of the
 *      previous run, if any);
 *      set by the driver: BROKERS, S3_ENDPOINT, S3_BUCKET, TABLES (the file sink's key prefix),
 *      AWS_ENDPOINT_URL_S3 (= S3_ENDPOINT, for the checkpoint location) and the credentials and
 *      region (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION)
 */

import { Pipeline, WatermarkStrategies, consoleLogger, stopOnSignals, tumblingWindows, type WindowResult } from '@weir/core';
import { bucketedFileSink } from '@weir/files';
import { kafkaExchange, kafkaSink, kafkaSource, type KafkaRecord } from '@weir/kafka';
import { checkpointStorageAt, instanceEnv, instanceReady } from '@weir/instances';
import { s3FileStorage } from '@weir/s3';
import { CHECKPOINT_INTERVAL_MS, JOB_NAME, MAX_PARALLELISM, ORDERS_TOPIC, SUMS_TABLE, SUMS_TOPIC, WINDOW_MS, type Order, type WindowSum } from './shared.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`${name} is not set`);
  return v;
};
const brokers = env('BROKERS').split(',');
const { instance: subtask, instances: parallelism, checkpoints, restoreFrom } = instanceEnv();
const store = { endpoint: env('S3_ENDPOINT'), bucket: env('S3_BUCKET') };

const say = (fields: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ instance: subtask, ...fields })}\n`);
// warnings and errors to stderr; the restore decision (an info entry) to stdout for the driver's report
const logger = consoleLogger('info', {
  write: (line) => {
    const entry = JSON.parse(line) as { level: string; msg?: string; checkpoint?: number; kind?: string; path?: string; reason?: string };
    if (entry.level === 'warn' || entry.level === 'error') process.stderr.write(line);
    else if (entry.msg?.startsWith('restored ')) say({ restored: { id: entry.checkpoint, kind: entry.kind, path: entry.path, reason: entry.reason } });
  },
});

const pipeline = new Pipeline({
  name: JOB_NAME,
  subtask,
  parallelism,
  maxParallelism: MAX_PARALLELISM,
  exchange: kafkaExchange({ cluster: { brokers }, markerIntervalMs: 100, discoveryIntervalMs: 500 }),
  checkpoints: { storage: await checkpointStorageAt(checkpoints), intervalMs: CHECKPOINT_INTERVAL_MS },
  ...(restoreFrom ? { restoreFrom } : {}),
  logger,
  restart: { kind: 'fixed-delay', maxAttempts: 5, delayMs: 500 },
});

const sums = pipeline
  .source('orders', kafkaSource({ clusters: [{ name: 'main', brokers, topics: [ORDERS_TOPIC] }] }), {
    watermarks: WatermarkStrategies.forBoundedOutOfOrderness<KafkaRecord>(0, (r) => r.timestamp),
  })
  .map('parse', (r: KafkaRecord) => JSON.parse(r.value!.toString('utf8')) as Order)
  .keyBy((o) => o.customer)
  .window('customer-sums', tumblingWindows(WINDOW_MS), { create: () => 0, add: (sum: number, o: Order) => sum + o.amount, result: (sum: number) => sum })
  .map('as-row', (w: WindowResult<number>): WindowSum => ({ customer: w.key, start: w.start, sum: w.value }));

sums.sink(
  'sums',
  kafkaSink<WindowSum>({
    clusters: [{ brokers }],
    topic: SUMS_TOPIC,
    guarantee: 'exactly-once',
    transactionTimeoutMs: 120_000,
    expectedRestartMs: 10_000,
    serialize: (s) => ({ key: s.customer, value: JSON.stringify(s) }),
  }),
);
// the same results as a table on the object store: part files published at each checkpoint
sums.sink('sum-files', bucketedFileSink<WindowSum>({ storage: s3FileStorage({ ...store, prefix: env('TABLES') }), streamOf: () => SUMS_TABLE }));

const job = pipeline.start();
stopOnSignals(job);
// from here on SIGTERM suspends: tell the driver (a SIGTERM before this would just end the process)
instanceReady();
const result = await job.done;
say({ outcome: result.outcome, savepoint: result.savepoint?.path ?? null });
