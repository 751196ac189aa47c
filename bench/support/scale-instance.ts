/**
 * One instance of the `scale` bench's keyed pipeline, forked by bench/scale.ts: Kafka orders ->
 * parse -> keyBy(customer) -> running sum per customer (classic-level state). `mode`:
 * - `pre`: the input topic is already partitioned by key group for this instance count (no exchange);
 * - `hop`: records go through `kafkaExchange` (also on one instance, routed explicitly).
 * The source is gated: it reads nothing until the parent sends 'go' (to every instance at once,
 * once all are running), so process start-up is not timed. Reports over IPC every 100 ms:
 * `ready`, records the keyed step handled, and when it saw the last one.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline, silentLogger, type Source, type SourceSplit, type Stream, type ValueState } from '@weir/core';
import { kafkaExchange, kafkaSource, type KafkaRecord } from '@weir/kafka';

interface Args {
  brokers: string[];
  topic: string;
  job: string;
  subtask: number;
  parallelism: number;
  maxParallelism: number;
  mode: 'pre' | 'hop';
}

const a = JSON.parse(process.argv[2]!) as Args;
const dir = await mkdtemp(join(tmpdir(), 'weir-bench-scale-'));
let count = 0;
let last = 0;
let open!: () => void;
const go = new Promise<void>((resolve) => (open = resolve));
let goAt = 0;

/** The Kafka source, reading nothing before 'go'. */
function gated<T, S extends SourceSplit, E>(inner: Source<T, S, E>): Source<T, S, E> {
  return {
    ...inner,
    createEnumerator: (ctx, restored) => inner.createEnumerator(ctx, restored),
    createReader(ctx) {
      const r = inner.createReader(ctx);
      let opened = false;
      void go.then(() => (opened = true));
      return {
        ...r,
        start: () => r.start(),
        addSplits: (s) => r.addSplits(s),
        removeSplits: (ids) => r.removeSplits(ids),
        poll: async (maxWaitMs) => {
          if (!opened) {
            await Promise.race([go, new Promise((res) => setTimeout(res, maxWaitMs))]);
            if (!opened) return { batches: [] };
          }
          return r.poll(maxWaitMs);
        },
        wakeup: () => r.wakeup(),
        pauseSplits: (ids) => r.pauseSplits(ids),
        resumeSplits: (ids) => r.resumeSplits(ids),
        close: () => r.close(),
      };
    },
  };
}
const exchange = kafkaExchange({ cluster: { brokers: a.brokers }, markerIntervalMs: 200 });
const p = new Pipeline({
  name: a.job,
  subtask: a.subtask,
  parallelism: a.parallelism,
  maxParallelism: a.maxParallelism,
  checkpoints: { dir, intervalMs: 500 },
  logger: silentLogger,
  restart: { kind: 'none' },
  ...(a.mode === 'hop' ? { exchange } : {}),
});
interface Order {
  customer: string;
  amount: number;
}
let orders: Stream<Order> = p
  .source('orders', gated(kafkaSource({ clusters: [{ name: 'main', brokers: a.brokers, topics: [a.topic] }] })))
  .map('parse', (r: KafkaRecord) => JSON.parse(r.value!.toString('utf8')) as Order);
const key = (o: Order) => o.customer;
// one instance never routes through an exchange by itself: route explicitly to measure the hop
if (a.mode === 'hop' && a.parallelism === 1) orders = exchange.route(orders, key, { jobName: a.job, stepName: 'sums', subtask: 0, parallelism: 1, maxParallelism: a.maxParallelism }, p);
orders
  .keyBy(key, { prePartitioned: a.mode === 'pre' || a.parallelism === 1 })
  .process('sums', () => {
    let sum: ValueState<number>;
    return {
      open: (ctx) => {
        sum = ctx.state.valueState<number>('sum');
      },
      processElement: (o: Order) => {
        sum.update((sum.value() ?? 0) + o.amount);
        count++;
        last = Date.now();
      },
    };
  });
const job = p.start();
const timer = setInterval(() => process.send?.({ ready: job.status().state === 'running', count, first: goAt, last }), 100);
process.on('message', (m) => {
  if (m === 'go') {
    goAt = Date.now();
    open();
  } else if (m === 'stop') {
    clearInterval(timer);
    void job
      .stop({ mode: 'cancel' })
      .catch(() => undefined)
      .finally(() => void rm(dir, { recursive: true, force: true }).finally(() => process.exit(0)));
  }
});
