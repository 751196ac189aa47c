import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline, WatermarkStrategies, heapStateBackend, memorySink, silentLogger, tumblingWindows, type Job, type MemorySink, type WindowResult } from '@weir/core';
import { testCluster } from '@weir/embedded-kafka';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteRepartitionTopics, kafkaExchange, kafkaSource, repartitionTopicName } from '../../src/index.js';
import { BASE, WINDOW, cleanups, orders, runCleanups, until, windowSums, type Order } from './fixtures.js';


afterEach(runCleanups);




describe('kafkaExchange', () => {
  it('keyBy over 2 instances: records cross through the repartition topic, every window result once, equal to one instance', async () => {
    const cluster = await testCluster();
    cleanups.push(() => cluster.stop());
    const brokers = cluster.bootstrapServers;
    const run = `x${Date.now().toString(36)}`;
    const input = `orders-${run}`;
    const jobName = `exchange-${run}`;
    const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: input, numPartitions: 4 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const all = orders(0, 400);
    // keyed by order id, so one customer's orders are spread over every input partition
    await producer.send({ topic: input, messages: all.map((o) => ({ key: String(o.id), value: JSON.stringify(o), timestamp: String(o.ts) })) });
    // one late-enough record per partition moves every input split's watermark past the last window
    const flushTs = BASE + 400 * 37 + 5 * WINDOW;
    await producer.send({ topic: input, messages: [0, 1, 2, 3].map((p) => ({ partition: p, key: 'flush', value: JSON.stringify({ id: -1, customer: 'flush', amount: 0, ts: flushTs }), timestamp: String(flushTs) })) });

    const outs: MemorySink<WindowResult<number>>[] = [];
    const jobs: Job[] = [];
    for (let subtask = 0; subtask < 2; subtask++) {
      const dir = await mkdtemp(join(tmpdir(), 'weir-exchange-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const out = memorySink<WindowResult<number>>();
      const p = new Pipeline({
        name: jobName,
        subtask,
        parallelism: 2,
        maxParallelism: 8,
        exchange: kafkaExchange({ cluster: { brokers }, markerIntervalMs: 50, discoveryIntervalMs: 300 }),
        checkpoints: { dir, intervalMs: 150 },
        stateBackend: heapStateBackend(),
        logger: silentLogger,
      });
      p.source(
        'orders',
        kafkaSource({ clusters: [{ name: 'main', brokers, topics: [input] }] }),
        { watermarks: WatermarkStrategies.forBoundedOutOfOrderness(0, (r) => r.timestamp) },
      )
        .map('parse', (r) => JSON.parse(r.value!.toString()) as Order)
        .keyBy((o) => o.customer)
        .window('sums', tumblingWindows(WINDOW), { create: () => 0, add: (a: number, o: Order) => a + o.amount, result: (a: number) => a })
        .sink('out', out);
      const job = p.start();
      cleanups.push(() => job.stop({ mode: 'cancel' }));
      outs.push(out);
      jobs.push(job);
    }
    const expected = windowSums(all, flushTs);
    const results = () => outs.flatMap((o) => o.committed).filter((r) => r.key !== 'flush');
    await until(() => results().length >= expected.size, 30_000, `${expected.size} window results`);
    await new Promise((r) => setTimeout(r, 500));
    for (const j of jobs) await j.stop({ mode: 'suspend' });

    const got = new Map<string, number>();
    for (const r of results()) {
      const k = `${r.key}@${r.start}`;
      expect(got.has(k), `window ${k} emitted twice`).toBe(false);
      got.set(k, r.value);
    }
    expect(got).toEqual(expected);
    // each instance computed only the customers whose key groups it owns
    const [a, b] = outs.map((o) => new Set(o.committed.map((r) => r.key)));
    expect([...a!].filter((k) => b!.has(k))).toEqual([]);
    expect(a!.size).toBeGreaterThan(0);
    expect(b!.size).toBeGreaterThan(0);

    expect(await deleteRepartitionTopics({ connection: { brokers }, jobName, steps: ['sums'] })).toEqual([repartitionTopicName(jobName, 'sums')]);
  }, 60_000);
});
