/**
 * `scale` suite: keyed throughput across instance processes, on one embedded broker (its own
 * process, `weir-kafka`). The pipeline (bench/support/scale-instance.ts): Kafka orders -> parse ->
 * keyBy(customer) -> a running sum per customer in classic-level state. Timed from 'go' (sent to
 * every instance once all are running; their sources read nothing before) to the last record the
 * keyed step handles on any instance: process start-up is not timed, the Kafka hop's commit
 * latency (read_committed sees records once their checkpoint commits) is.
 *
 * - `scale.instances-2-vs-1`: 2 instance processes over 1 on the same input, the topic already
 *   partitioned by key group for the instance count (keyBy prePartitioned, no exchange).
 *   The machine has 2 cores and the broker process shares them: the figure is bounded by it.
 * - `scale.repartition-overhead`: one instance whose keyBy goes through the Kafka repartition
 *   topic (kafkaExchange: write in the exactly-once transaction, read back read_committed) over
 *   one that keys in process. Reported, no target.
 * Sides run in the same rounds, rotating order, after a warm-up round.
 */

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { keyGroupOf, subtaskForKeyGroup } from '@weir/core';
import { Kafka, logLevel } from 'kafkajs';
import type { BenchResult } from './support/result.js';
import { startBrokerProcess } from './support/broker-process.js';
import { size } from './support/sizes.js';
import { alternate, comparison, logRounds } from './support/stats.js';

// 2M: at 300k the run lasts under a second and fixed costs (the first commit of the hop, start of reading) hid the scaling
const RECORDS = size('WEIR_BENCH_SCALE_RECORDS', 2_000_000, 20_000);
const ROUNDS = size('WEIR_BENCH_ROUNDS', 3, 1);
const MAX_PARALLELISM = 8;
const PARTITIONS = 8;
const CUSTOMERS = 10_000;
const INSTANCE = fileURLToPath(new URL('./support/scale-instance.ts', import.meta.url));

/**
 * The partition of a key group for `parallelism` instances: the Kafka source deals partition q to
 * instance q mod parallelism, so a group goes to a partition its owner reads.
 */
function partitionFor(group: number, parallelism: number): number {
  const owner = subtaskForKeyGroup(group, parallelism, MAX_PARALLELISM);
  const rank = group - Math.ceil((owner * MAX_PARALLELISM) / parallelism);
  return (rank * parallelism + owner) % PARTITIONS;
}

async function fill(brokers: string[], topic: string, parallelism: number): Promise<void> {
  const producer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  for (let start = 0; start < RECORDS; start += 1000) {
    const messages = [];
    for (let i = start; i < Math.min(RECORDS, start + 1000); i++) {
      const customer = `customer-${(i * 7919) % CUSTOMERS}`;
      messages.push({ partition: partitionFor(keyGroupOf(customer, MAX_PARALLELISM), parallelism), value: JSON.stringify({ customer, amount: i % 100 }) });
    }
    await producer.send({ topic, acks: 1, messages });
  }
  await producer.disconnect();
}

/** Runs `parallelism` instance processes to the end of the input; records/s from first to last keyed record. */
async function runInstances(brokers: string[], topic: string, job: string, parallelism: number, mode: 'pre' | 'hop'): Promise<number> {
  const state = Array.from({ length: parallelism }, () => ({ ready: false, count: 0, first: 0, last: 0 }));
  const children = state.map((_, subtask) => {
    const child = fork(INSTANCE, [JSON.stringify({ brokers, topic, job, subtask, parallelism, maxParallelism: MAX_PARALLELISM, mode })], { execArgv: process.execArgv.filter((a) => a !== '--expose-gc'), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (m) => (state[subtask] = m as (typeof state)[number]));
    return child;
  });
  try {
    const startBy = Date.now() + 120_000;
    while (!state.every((s) => s.ready)) {
      if (Date.now() > startBy) throw new Error(`${job}: instances not running after 120 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const c of children) c.send('go');
    const deadline = Date.now() + 300_000;
    while (state.reduce((s, x) => s + x.count, 0) < RECORDS) {
      if (Date.now() > deadline) throw new Error(`${job}: ${state.map((s) => s.count).join('+')} of ${RECORDS} records after 300 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const total = state.reduce((s, x) => s + x.count, 0);
    if (total !== RECORDS) throw new Error(`${job}: ${total} records keyed, expected ${RECORDS}`);
    const first = Math.min(...state.map((s) => s.first));
    const last = Math.max(...state.map((s) => s.last));
    return RECORDS / ((last - first) / 1000);
  } finally {
    for (const c of children) c.send('stop');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  }
}

export async function run(): Promise<BenchResult[]> {
  const { child, brokers } = await startBrokerProcess([`by-group-1:${PARTITIONS}`, `by-group-2:${PARTITIONS}`]);
  try {
    await fill(brokers, 'by-group-1', 1);
    await fill(brokers, 'by-group-2', 2);
    const r = await alternate(
      {
        one: (round) => runInstances(brokers, 'by-group-1', `one-${round}`, 1, 'pre'),
        two: (round) => runInstances(brokers, 'by-group-2', `two-${round}`, 2, 'pre'),
        hop: (round) => runInstances(brokers, 'by-group-1', `hop-${round}`, 1, 'hop'),
      },
      { rounds: ROUNDS, warmup: 1 },
    );
    logRounds('scale', { '1 instance': r.one, '2 instances': r.two, '1 instance via repartition topic': r.hop }, 'records/s');
    return [
      comparison('scale.instances-2-vs-1', 'records/s', r.two, r.one, { target: { op: '>=', value: 1.5 }, baselineLabel: '1 instance process (broker in a third process on the same 2 cores)' }),
      comparison('scale.repartition-overhead', 'records/s', r.hop, r.one, { baselineLabel: '1 instance, keyBy in process' }),
    ];
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

// `node --conditions=weir-source --import tsx bench/scale.ts` runs it alone
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await run(), null, 2));
}
