/**
 * How a job on several instances with `kafkaExchange` ends: a bounded input finishes every
 * instance by itself (end markers through the repartition topic), a drain of every instance
 * reads what other instances already committed to the topic before the final checkpoint, and a
 * drain of some instances leaves the others running. Output is checked exactly once with a
 * read_committed KafkaJS consumer against an oracle of the input the instances consumed.
 */

import { MAX_WATERMARK, Pipeline, WatermarkStrategies, heapStateBackend, memorySink, silentLogger, tumblingWindows, type Job, type MemorySink } from '@weir/core';
import { testCluster } from '@weir/embedded-kafka';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { kafkaExchange, kafkaSink, kafkaSource, repartitionTopicName } from '../../src/index.js';
import { WINDOW, cleanups, orders, runCleanups, until, windowSums, type Order } from './fixtures.js';
import { readTopic, tempDir } from '../sink/helpers.js';


interface WindowOut {
  key: string;
  start: number;
  value: number;
  instance: number;
}

afterEach(runCleanups);




interface Setup {
  brokers: string[];
  input: string;
  output: string;
  jobName: string;
  producer: Producer;
}

async function setup(partitions: number): Promise<Setup> {
  const cluster = await testCluster();
  cleanups.push(() => cluster.stop());
  const brokers = cluster.bootstrapServers;
  const run = `e${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const s = { brokers, input: `orders-${run}`, output: `sums-${run}`, jobName: `exchange-end-${run}` };
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: s.input, numPartitions: partitions }, { topic: s.output, numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  return { ...s, producer };
}

/** Orders keyed by id (so one customer's orders are on every input partition), or to a chosen partition. */
async function produce(s: Setup, batch: Order[], partitionOf?: (o: Order) => number): Promise<void> {
  await s.producer.send({
    topic: s.input,
    messages: batch.map((o) => ({ key: String(o.id), value: JSON.stringify(o), timestamp: String(o.ts), ...(partitionOf ? { partition: partitionOf(o) } : {}) })),
  });
}

interface Instance {
  job: Job;
  /** The orders this instance's source consumed, committed with its checkpoints. */
  seen: MemorySink<Order>;
}

/** Instance `subtask` of `parallelism`: orders -> parse -> keyBy customer (through the exchange) -> window sums -> exactly-once Kafka sink. */
async function startInstance(s: Setup, subtask: number, parallelism: number, opts: { bounded: boolean; intervalMs: number; dir?: string; restoreFrom?: string[] }): Promise<Instance> {
  const seen = memorySink<Order>();
  const p = new Pipeline({
    name: s.jobName,
    subtask,
    parallelism,
    maxParallelism: 8,
    exchange: kafkaExchange({ cluster: { brokers: s.brokers }, markerIntervalMs: 50, discoveryIntervalMs: 300 }),
    checkpoints: { dir: opts.dir ?? (await tempDir('weir-exchange-end-')), intervalMs: opts.intervalMs },
    stateBackend: heapStateBackend(),
    logger: silentLogger,
    stopGracePeriodMs: 45_000,
    ...(opts.restoreFrom ? { restoreFrom: opts.restoreFrom } : {}),
  });
  const parsed = p
    .source('orders', kafkaSource({ clusters: [{ name: 'main', brokers: s.brokers, topics: [s.input] }], boundedness: opts.bounded ? 'bounded' : 'unbounded' }), {
      watermarks: WatermarkStrategies.forBoundedOutOfOrderness(0, (r) => r.timestamp),
    })
    .map('parse', (r) => JSON.parse(r.value!.toString()) as Order);
  parsed.sink('seen', seen);
  parsed
    .keyBy((o) => o.customer)
    .window('sums', tumblingWindows(WINDOW), { create: () => 0, add: (a: number, o: Order) => a + o.amount, result: (a: number) => a })
    .sink(
      'out',
      kafkaSink<{ key: string; start: number; value: number }>({
        clusters: [{ name: 'out', brokers: s.brokers }],
        topic: s.output,
        guarantee: 'exactly-once',
        transactionalIdPrefix: `${s.output}-out`,
        serialize: (w) => ({ key: w.key, value: JSON.stringify({ key: w.key, start: w.start, value: w.value, instance: subtask } satisfies WindowOut) }),
      }),
    );
  const job = p.start();
  cleanups.push(() => job.stop({ mode: 'cancel' }));
  return { job, seen };
}

/** Read the output read_committed; every window once, equal to the oracle of what the sources consumed. */
async function expectExactlyOnce(s: Setup, consumed: readonly Order[]): Promise<WindowOut[]> {
  const expected = windowSums(consumed);
  const read = (await readTopic(s.brokers, s.output, { expected: expected.size, timeoutMs: 20_000 })).map((r) => JSON.parse(r.value) as WindowOut);
  const got = new Map<string, number>();
  for (const w of read) {
    const k = `${w.key}@${w.start}`;
    expect(got.has(k), `window ${k} emitted twice`).toBe(false);
    got.set(k, w.value);
  }
  expect(got).toEqual(expected);
  return read;
}

/**
 * Every order in the repartition topic (read_committed, KafkaJS) carries its event time as its
 * Kafka timestamp, also next to markers written at a much later wall-clock time.
 */
async function expectEventTimestamps(s: Setup): Promise<number> {
  const kafka = new Kafka({ brokers: s.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `check-${Math.random().toString(36).slice(2)}`, readUncommitted: false, maxWaitTimeInMs: 100 });
  const wrong: string[] = [];
  let orders = 0;
  let last = Date.now();
  await consumer.connect();
  await consumer.subscribe({ topic: repartitionTopicName(s.jobName, 'sums'), fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      last = Date.now();
      if (message.value === null || message.value.length === 0) return; // a marker
      const o = JSON.parse(message.value.toString()) as Order;
      orders++;
      if (String(o.ts) !== message.timestamp) wrong.push(`order ${o.id}: ${o.ts} written as ${message.timestamp}`);
    },
  });
  const deadline = Date.now() + 15_000;
  while ((orders === 0 || Date.now() - last < 700) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await consumer.disconnect();
  expect(wrong).toEqual([]);
  return orders;
}

/** The orders every instance's source consumed (committed with its final checkpoint), each once. */
function consumedBy(instances: Instance[]): Order[] {
  const all = instances.flatMap((i) => i.seen.committed);
  expect(new Set(all.map((o) => o.id)).size).toBe(all.length);
  return all;
}

describe('kafkaExchange: ending a job on several instances', () => {
  for (const { n, intervalMs } of [
    { n: 3, intervalMs: 200 },
    { n: 2, intervalMs: 0 },
  ]) {
    it(`bounded input on ${n} instances (checkpoint interval ${intervalMs}): every instance finishes by itself, results exactly once`, async () => {
      const s = await setup(6);
      const all = orders(0, 300);
      await produce(s, all);
      const instances: Instance[] = [];
      for (let i = 0; i < n; i++) instances.push(await startInstance(s, i, n, { bounded: true, intervalMs }));
      const results = await Promise.all(instances.map((i) => i.job.done));
      expect(results.map((r) => r.outcome)).toEqual(Array(n).fill('finished'));
      expect(consumedBy(instances).map((o) => o.id).sort((a, b) => a - b)).toEqual(all.map((o) => o.id));
      const read = await expectExactlyOnce(s, all);
      // the keyed step really ran on every instance
      expect(new Set(read.map((w) => w.instance)).size).toBe(n);
    }, 60_000);
  }

  it('drain of every instance: what others committed to the repartition topic is read before the drained checkpoint', async () => {
    const s = await setup(6);
    const instances: Instance[] = [];
    for (let i = 0; i < 3; i++) instances.push(await startInstance(s, i, 3, { bounded: false, intervalMs: 300 }));
    // input keeps arriving, so at the drain every instance has records in its open exchange
    // transaction that only its drain's checkpoints commit for the others to read
    let next = 0;
    let producing = true;
    const feeding = (async () => {
      while (producing) {
        await produce(s, orders(next, next + 10));
        next += 10;
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    await until(() => instances.every((i) => i.seen.committedCount() > 0), 30_000, 'every instance to consume');
    await new Promise((r) => setTimeout(r, 200));
    const results = await Promise.all(instances.map((i) => i.job.stop({ mode: 'drain' })));
    producing = false;
    await feeding;
    expect(results.map((r) => r.outcome)).toEqual(['drained', 'drained', 'drained']);
    expect(results.every((r) => r.lastCheckpoint?.metadata.drained === true)).toBe(true);
    const consumed = consumedBy(instances);
    expect(consumed.length).toBeGreaterThan(0);
    await expectExactlyOnce(s, consumed);
    expect(await expectEventTimestamps(s)).toBe(consumed.length);
  }, 60_000);

  it('drain of one instance: the others run on, the drained one reads their records until they drain too', async () => {
    const s = await setup(4);
    const phase1 = orders(0, 200);
    await produce(s, phase1);
    const [a, b] = [await startInstance(s, 0, 2, { bounded: false, intervalMs: 200 }), await startInstance(s, 1, 2, { bounded: false, intervalMs: 200 })];
    await until(() => a!.seen.committedCount() + b!.seen.committedCount() === phase1.length, 30_000, 'phase 1 consumed');
    let aDone = false;
    let bDone = false;
    const aResult = a!.job.stop({ mode: 'drain' });
    void aResult.finally(() => (aDone = true));
    void b!.job.done.finally(() => (bDone = true));
    // input partitions are dealt round-robin: instance 1 reads partitions 1 and 3, instance 0 (drained) 0 and 2
    const phase2 = orders(200, 400);
    await produce(s, phase2, (o) => (o.id % 2 === 0 ? 1 : 3));
    await until(() => b!.seen.committedCount() + a!.seen.committedCount() === phase1.length + phase2.length, 30_000, 'phase 2 consumed by instance 1');
    await new Promise((r) => setTimeout(r, 1000));
    // instance 0 waits for instance 1's end; instance 1 was not ended by instance 0's end markers
    expect(aDone).toBe(false);
    expect(bDone).toBe(false);
    expect(b!.job.status().state).toBe('running');
    expect((await b!.job.stop({ mode: 'drain' })).outcome).toBe('drained');
    expect((await aResult).outcome).toBe('drained');
    const consumed = consumedBy([a!, b!]);
    expect(consumed.map((o) => o.id).sort((x, y) => x - y)).toEqual([...phase1, ...phase2].map((o) => o.id));
    const read = await expectExactlyOnce(s, consumed);
    // instance 0 kept reading the exchange after its drain began: it summed phase-2 records instance 1 routed to it
    const phase2Start = phase2[0]!.ts;
    expect(read.some((w) => w.instance === 0 && w.start + WINDOW > phase2Start)).toBe(true);
  }, 60_000);

  it('a drained instance cancelled while it waits goes on with its drain after a restart: its input stays ended', async () => {
    const s = await setup(4);
    const phase1 = orders(0, 200);
    await produce(s, phase1);
    const dirA = await tempDir('weir-exchange-end-');
    const a1 = await startInstance(s, 0, 2, { bounded: false, intervalMs: 200, dir: dirA });
    const b = await startInstance(s, 1, 2, { bounded: false, intervalMs: 200 });
    await until(() => a1.seen.committedCount() + b.seen.committedCount() === phase1.length, 30_000, 'phase 1 consumed');
    const draining = a1.job.stop({ mode: 'drain' });
    // its input ended (MAX watermark) and a checkpoint begun after that completed: its end markers
    // are committed; from then on it only waits for instance 1
    const status = () => a1.job.status();
    await until(() => status().steps.find((st) => st.step === 'orders')?.watermark === MAX_WATERMARK, 10_000, 'instance 0 input to end');
    const completedAtEnd = status().checkpoints.completed;
    await until(() => status().checkpoints.completed >= completedAtEnd + 2, 10_000, 'a checkpoint after the end');
    expect((await a1.job.stop({ mode: 'cancel' })).outcome).toBe('cancelled');
    await draining;
    const a2 = await startInstance(s, 0, 2, { bounded: false, intervalMs: 200, dir: dirA });
    let a2Done = false;
    void a2.job.done.finally(() => (a2Done = true));
    // new input on instance 0's partitions (0 and 2): its source stays ended, so no one reads it
    await produce(s, orders(200, 260), (o) => (o.id % 2 === 0 ? 0 : 2));
    await until(() => a2.job.status().state === 'running', 10_000, 'instance 0 to run again');
    await new Promise((r) => setTimeout(r, 1000));
    expect(a2Done).toBe(false); // it waits for instance 1's end
    expect((await b.job.stop({ mode: 'drain' })).outcome).toBe('drained');
    expect((await a2.job.done).outcome).toBe('finished');
    const consumed = consumedBy([a1, a2, b]);
    expect(consumed.map((o) => o.id).sort((x, y) => x - y)).toEqual(phase1.map((o) => o.id));
    await expectExactlyOnce(s, consumed);
  }, 60_000);

  it('rescaled 2 -> 3 through savepoints, then drained: the new writer count ends the partitions, results exactly once', async () => {
    const s = await setup(6);
    const phase1 = orders(0, 300);
    await produce(s, phase1);
    const before = [await startInstance(s, 0, 2, { bounded: false, intervalMs: 200 }), await startInstance(s, 1, 2, { bounded: false, intervalMs: 200 })];
    await until(() => before.reduce((n, i) => n + i.seen.committedCount(), 0) === phase1.length, 30_000, 'phase 1 consumed');
    const suspended = await Promise.all(before.map((i) => i.job.stop({ mode: 'suspend' })));
    expect(suspended.map((r) => r.outcome)).toEqual(['suspended', 'suspended']);
    const set = suspended.map((r) => r.savepoint!.path);
    const after: Instance[] = [];
    for (let i = 0; i < 3; i++) after.push(await startInstance(s, i, 3, { bounded: false, intervalMs: 200, restoreFrom: set }));
    const phase2 = orders(300, 600);
    await produce(s, phase2);
    await until(() => after.reduce((n, i) => n + i.seen.committedCount(), 0) === phase2.length, 30_000, 'phase 2 consumed');
    const drained = await Promise.all(after.map((i) => i.job.stop({ mode: 'drain' })));
    expect(drained.map((r) => r.outcome)).toEqual(['drained', 'drained', 'drained']);
    const consumed = consumedBy([...before, ...after]);
    expect(consumed.map((o) => o.id).sort((x, y) => x - y)).toEqual([...phase1, ...phase2].map((o) => o.id));
    await expectExactlyOnce(s, consumed);
  }, 60_000);
});
