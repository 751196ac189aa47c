/**
 * The service the operations chaos test drives: a multi-cluster Kafka source -> parse (JSON;
 * malformed records are dead letters) -> validate (a poison customer fails the job) -> event
 * time -> keyed tumbling and sliding windows -> exactly-once Kafka sink; dead letters to a
 * files sink. SIGTERM suspends (stopOnSignals), SIGUSR2 stops with an explicit suspend.
 * argv[2]: JSON { brokersA, brokersB, checkpointDir, deadDir, restoreFrom?, extraStep? }
 */

import {
  Pipeline,
  RestartStrategies,
  WatermarkStrategies,
  consoleLogger,
  jsonLinesFileSink,
  slidingWindows,
  stopOnSignals,
  tumblingWindows,
  type WindowAggregate,
  type WindowResult,
} from '@weir/core';
import { kafkaSink, kafkaSource, type KafkaRecord } from '../../src/index.js';

interface Config {
  brokersA: string[];
  brokersB: string[];
  checkpointDir: string;
  deadDir: string;
  restoreFrom?: string;
  extraStep?: boolean;
}
interface Order {
  kind: 'order' | 'tick';
  id: number;
  customer: string;
  amount: number;
  ts: number;
}
type Sums = { count: number; sum: number };

const cfg = JSON.parse(process.argv[2]!) as Config;

const sums: WindowAggregate<Order, Sums, Sums> = {
  create: () => ({ count: 0, sum: 0 }),
  add: (acc, o) => {
    // a second kind of poison: fails inside the window step, per record (dead letter, job goes on)
    if (o.amount < 0) throw new Error(`negative amount ${o.amount}`);
    return { count: acc.count + 1, sum: acc.sum + o.amount };
  },
  result: (acc) => acc,
};

const p = new Pipeline({
  name: 'chaos',
  checkpoints: { dir: cfg.checkpointDir, intervalMs: 200 },
  logger: consoleLogger('info'),
  restart: RestartStrategies.fixedDelay({ maxAttempts: 20, delayMs: 100 }),
  ...(cfg.restoreFrom !== undefined ? { restoreFrom: cfg.restoreFrom } : {}),
});
const source = kafkaSource({
  clusters: [
    { name: 'a', brokers: cfg.brokersA, topics: ['orders'] },
    { name: 'b', brokers: cfg.brokersB, topics: ['orders'] },
  ],
  startFrom: 'earliest',
  fetchMaxWaitMs: 50,
  reconnectBackoff: { initialMs: 100, maxMs: 500 },
});
let orders = p
  .source('orders', source)
  .map('parse', (r: KafkaRecord) => JSON.parse(r.value!.toString()) as Order)
  .map(
    'validate',
    (o) => {
      if (o.customer === 'poison') throw new Error('poison customer');
      return o;
    },
    { onError: 'fail' },
  );
// a stateless step added between two runs: the restored state still fits
if (cfg.extraStep === true) orders = orders.map('enrich', (o) => ({ ...o }));
const keyed = orders
  .assignTimestampsAndWatermarks('event-time', WatermarkStrategies.forMonotonousTimestamps<Order>((o) => o.ts))
  .filter('orders-only', (o) => o.kind === 'order')
  .keyBy((o) => o.customer);
const tag = (kind: string) => (w: WindowResult<Sums>) => ({ kind, customer: w.key, start: w.start, count: w.value.count, sum: w.value.sum });
const tumbling = keyed.window('tumbling-10s', tumblingWindows(10_000), sums).map('tag-tumbling', tag('tumbling'));
const sliding = keyed.window('sliding-30s-10s', slidingWindows(30_000, 10_000), sums).map('tag-sliding', tag('sliding'));
tumbling.union('results', sliding).sink(
  'out',
  kafkaSink<ReturnType<ReturnType<typeof tag>>>({
    clusters: [{ brokers: cfg.brokersA }],
    topic: 'results',
    guarantee: 'exactly-once',
    transactionTimeoutMs: 60_000,
    expectedRestartMs: 10_000,
    serialize: (r) => ({ key: `${r.kind}|${r.customer}|${r.start}`, value: JSON.stringify(r) }),
  }),
);
p.deadLetters().sink('dead', jsonLinesFileSink({ dir: cfg.deadDir }));

const job = p.start();
stopOnSignals(job);
process.on('SIGUSR2', () => void job.stop({ mode: 'suspend' }));
const ready = setInterval(() => {
  const s = job.status();
  // running with a completed checkpoint that holds every partition of both clusters
  if (s.checkpoints.completed > 0 && s.splits.filter((x) => x.step === 'orders').length === 6) {
    process.stdout.write('ready\n');
    clearInterval(ready);
  }
}, 25);
try {
  const result = await job.done;
  process.stdout.write(`${JSON.stringify({ outcome: result.outcome, savepoint: result.savepoint?.path ?? null, savepointId: result.savepoint?.metadata.id ?? null })}\n`);
  process.exit(0);
} catch (err) {
  process.stderr.write(`job failed: ${String(err)}\n`);
  process.exit(1);
}
