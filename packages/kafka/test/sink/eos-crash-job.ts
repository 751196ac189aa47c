/**
 * The job the exactly-once crash test SIGKILLs: Kafka topic `in` -> map -> Kafka topic `out`
 * through the exactly-once sink (one transaction per checkpoint). Runs until SIGTERM (drain).
 * argv: <brokers,comma-separated> <checkpointDir>
 * Output values are `<input value>|p<input partition>|<pid>`: the pid tells attempts apart.
 * WEIR_CRASH_HOLD=1: hold a commit with records open for the kill (`hold-open-transaction.ts`).
 */

import { Pipeline, consoleLogger, stopOnSignals } from '@weir/core';
import { kafkaSink, kafkaSource, type KafkaRecord } from '../../src/index.js';
import { holdOpenTransaction } from './hold-open-transaction.js';

const [brokers, checkpointDir] = process.argv.slice(2);
const list = brokers!.split(',');

const sink = kafkaSink<{ key: Buffer | null; value: string }>({
  clusters: [{ brokers: list }],
  topic: 'out',
  guarantee: 'exactly-once',
  transactionTimeoutMs: 60_000,
  expectedRestartMs: 10_000,
  serialize: (r) => ({ key: r.key, value: r.value }),
});

const p = new Pipeline({
  name: 'eos-crash',
  checkpoints: { dir: checkpointDir!, intervalMs: 150 },
  logger: consoleLogger(process.env.WEIR_CRASH_LOG === 'debug' ? 'debug' : 'info'), // stderr, shown by the test when an attempt misbehaves
  restart: { kind: 'none' },
});
p.source('in', kafkaSource({ clusters: [{ name: 'src', brokers: list, topics: ['in'] }], startFrom: 'earliest', fetchMaxWaitMs: 50 }))
  .map('transform', (r: KafkaRecord) => ({ key: r.key, value: `${r.value!.toString()}|p${r.partition}|${process.pid}` }))
  .sink('out', process.env.WEIR_CRASH_HOLD === '1' ? holdOpenTransaction(sink) : sink);

const job = p.start();
stopOnSignals(job);
// a drain that takes long shows where it is
process.once('SIGTERM', () => {
  setTimeout(() => process.stderr.write(`drain still running: ${JSON.stringify(job.status())}\n`), 15_000).unref();
});
process.stdout.write('started\n');
// the test drains only a running job (a drain requested during startup never ends: see the report)
const ready = setInterval(() => {
  if (job.status().checkpoints.completed > 0) {
    process.stdout.write('checkpointed\n');
    clearInterval(ready);
  }
}, 20);
const result = await job.done; // rejects (non-zero exit) when the job failed
process.stdout.write(`${JSON.stringify({ done: result.outcome })}\n`);
process.exit(0);
