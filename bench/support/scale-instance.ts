/**
 * One instance process of the `scale` bench, forked by bench/scale.ts. It lives for the whole
 * suite and runs one job per round (`{ run: Args }`), so every round after the warm-up runs on a
 * warm process (JIT-compiled hot path), as a long-running deployment does. The job: Kafka orders ->
 * parse -> keyBy(customer) -> running sum per customer (classic-level state). `mode`:
 * - `pre`: the input topic is already partitioned by key group for this instance count (no exchange);
 * - `hop`: records go through `kafkaExchange` (also on one instance, routed explicitly).
 * The source is gated: it reads nothing until the parent sends 'go' (to every instance at once,
 * once all are running), so job start-up is not timed. Reports over IPC every 100 ms while a job
 * runs: `ready`, records the keyed step handled, when it saw the last one, and the CPU time the
 * process used since 'go'; 'stop' cancels the job and answers `{ stopped: true }`.
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

/** The Kafka source, reading nothing before 'go'. */
function gated<T, S extends SourceSplit, E>(inner: Source<T, S, E>, go: Promise<void>): Source<T, S, E> {
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
interface Order {
  customer: string;
  amount: number;
}

/** Runs one job until 'stop'. */
async function runJob(a: Args): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-bench-scale-'));
  let count = 0;
  let last = 0;
  let open!: () => void;
  const go = new Promise<void>((resolve) => (open = resolve));
  let goAt = 0;
  /** CPU time of this process (every thread: main, GC, libuv) at 'go'. */
  let cpuAtGo: NodeJS.CpuUsage | undefined;
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
  let orders: Stream<Order> = p
    .source('orders', gated(kafkaSource({ clusters: [{ name: 'main', brokers: a.brokers, topics: [a.topic] }] }), go))
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
  /** CPU ms used since 'go' (reported every tick: after the last record the source only idles). */
  const cpuMs = () => {
    if (cpuAtGo === undefined) return 0;
    const u = process.cpuUsage(cpuAtGo);
    return (u.user + u.system) / 1000;
  };
  const timer = setInterval(() => process.send?.({ ready: job.status().state === 'running', count, first: goAt, last, cpuMs: cpuMs() }), 100);
  await new Promise<void>((resolve) => {
    const onMessage = (m: unknown) => {
      if (m === 'go') {
        goAt = Date.now();
        cpuAtGo = process.cpuUsage();
        open();
      } else if (m === 'stop') {
        process.off('message', onMessage);
        resolve();
      }
    };
    process.on('message', onMessage);
  });
  clearInterval(timer);
  await job.stop({ mode: 'cancel' }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}

process.on('message', (m) => {
  if (typeof m === 'object' && m !== null && 'run' in m) {
    void runJob((m as { run: Args }).run).then(
      () => process.send?.({ stopped: true }),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  } else if (m === 'exit') process.exit(0);
});
