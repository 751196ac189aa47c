/**
 * One instance of the scale-out job: orders (a 12-partition topic keyed by order id) -> per
 * customer tumbling-window sums -> an exactly-once Kafka sink. `keyBy(customer)` is not the
 * topic's key, so on several instances the records cross instances through the job's
 * repartition topic (`kafkaExchange`). SIGTERM suspends (savepoint); the last stdout line then
 * names the savepoint.
 *
 * env: BROKERS, SUBTASK, PARALLELISM, CHECKPOINTS (this instance's directory),
 *      RESTORE_FROM (optional: the savepoint set of the previous run, comma-separated)
 */

import { Pipeline, WatermarkStrategies, consoleLogger, stopOnSignals, tumblingWindows, type WindowResult } from '@weir/core';
import { kafkaExchange, kafkaSink, kafkaSource, type KafkaRecord } from '@weir/kafka';
import { JOB_NAME, MAX_PARALLELISM, ORDERS_TOPIC, SUMS_TOPIC, WINDOW_MS, type Order, type WindowSum } from './shared.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`${name} is not set`);
  return v;
};
const brokers = env('BROKERS').split(',');
const subtask = Number(env('SUBTASK'));
const parallelism = Number(env('PARALLELISM'));
const restoreFrom = process.env.RESTORE_FROM ? process.env.RESTORE_FROM.split(',') : undefined;

const pipeline = new Pipeline({
  name: JOB_NAME,
  subtask,
  parallelism,
  maxParallelism: MAX_PARALLELISM,
  exchange: kafkaExchange({ cluster: { brokers }, markerIntervalMs: 100, discoveryIntervalMs: 500 }),
  checkpoints: { dir: env('CHECKPOINTS'), intervalMs: 300 },
  ...(restoreFrom ? { restoreFrom } : {}),
  logger: consoleLogger('warn'),
  restart: { kind: 'fixed-delay', maxAttempts: 5, delayMs: 500 },
});

pipeline
  .source('orders', kafkaSource({ clusters: [{ name: 'main', brokers, topics: [ORDERS_TOPIC] }] }), {
    watermarks: WatermarkStrategies.forBoundedOutOfOrderness<KafkaRecord>(0, (r) => r.timestamp),
  })
  .map('parse', (r: KafkaRecord) => JSON.parse(r.value!.toString('utf8')) as Order)
  .keyBy((o) => o.customer)
  .window('customer-sums', tumblingWindows(WINDOW_MS), { create: () => 0, add: (sum: number, o: Order) => sum + o.amount, result: (sum: number) => sum })
  .sink(
    'sums',
    kafkaSink<WindowResult<number>>({
      clusters: [{ brokers }],
      topic: SUMS_TOPIC,
      guarantee: 'exactly-once',
      transactionTimeoutMs: 120_000,
      expectedRestartMs: 10_000,
      serialize: (w) => ({ key: w.key, value: JSON.stringify({ customer: w.key, start: w.start, sum: w.value } satisfies WindowSum) }),
    }),
  );

const job = pipeline.start();
stopOnSignals(job);
// from here on SIGTERM suspends: tell the driver (a SIGTERM before this would just end the process)
process.stdout.write(`${JSON.stringify({ instance: subtask, ready: true })}\n`);
const result = await job.done;
process.stdout.write(`${JSON.stringify({ instance: subtask, outcome: result.outcome, savepoint: result.savepoint?.path ?? null })}\n`);
