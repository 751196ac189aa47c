/**
 * Kafka -> map -> Kafka, exactly once: `node --conditions=weir-source --import tsx examples/kafka-exactly-once.ts`.
 * An embedded cluster holds 10 000 orders; the pipeline converts cents to euros and writes every
 * record inside the Kafka transaction of its checkpoint. Halfway through, a step fails once on
 * purpose: the job restarts from its last checkpoint, re-commits the transactions that checkpoint
 * recorded, aborts the open ones, and replays the rest. A read_committed consumer then sees
 * every order exactly once.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { Pipeline, RestartStrategies, consoleLogger } from '@weir/core';
import { startCluster } from '@weir/embedded-kafka';
import { kafkaSink, kafkaSource, type KafkaRecord } from '@weir/kafka';

const ORDERS = 10_000;

const cluster = await startCluster({ brokers: 3, topics: [{ name: 'orders', partitions: 4 }, { name: 'orders-eur', partitions: 6 }] });
const dir = await mkdtemp(join(tmpdir(), 'weir-kafka-eos-'));
try {
  const kafka = new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  for (let i = 0; i < ORDERS; i += 1_000) {
    await producer.send({ topic: 'orders', messages: Array.from({ length: 1_000 }, (_, j) => ({ key: `customer-${(i + j) % 97}`, value: JSON.stringify({ id: i + j, cents: (i + j) * 7 }) })) });
  }
  await producer.disconnect();

  let failedOnce = false;
  const p = new Pipeline({
    name: 'orders-to-eur',
    checkpoints: { dir, intervalMs: 200 },
    restart: RestartStrategies.fixedDelay({ maxAttempts: 3, delayMs: 100 }),
    logger: consoleLogger('warn'),
  });
  p.source('orders', kafkaSource({ clusters: [{ name: 'main', brokers: cluster.bootstrapServers, topics: ['orders'] }], boundedness: 'bounded' }))
    .map('to-eur', (r: KafkaRecord) => {
      const order = JSON.parse(r.value!.toString()) as { id: number; cents: number };
      if (order.id === ORDERS / 2 && !failedOnce) {
        failedOnce = true;
        throw new Error('simulated failure');
      }
      return { key: r.key, order: { id: order.id, eur: order.cents / 100 } };
    }, { onError: 'fail' })
    .sink(
      'orders-eur',
      kafkaSink<{ key: Buffer | null; order: { id: number; eur: number } }>({
        clusters: [{ brokers: cluster.bootstrapServers }],
        topic: 'orders-eur',
        guarantee: 'exactly-once',
        transactionTimeoutMs: 60_000,
        expectedRestartMs: 10_000,
        serialize: (r) => ({ key: r.key, value: JSON.stringify(r.order), headers: { currency: 'EUR' } }),
      }),
    );
  const result = await p.run();
  console.log(`job ${result.outcome}`);

  const consumer = kafka.consumer({ groupId: 'check', readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic: 'orders-eur', fromBeginning: true });
  const seen = new Map<number, number>();
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        const { id } = JSON.parse(m.value!.toString()) as { id: number };
        seen.set(id, (seen.get(id) ?? 0) + 1);
      }
    },
  });
  const t0 = Date.now();
  while (seen.size < ORDERS && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 500));
  await consumer.disconnect();
  const duplicates = [...seen.values()].filter((n) => n > 1).length;
  console.log(`read_committed: ${seen.size} distinct orders of ${ORDERS}, ${duplicates} duplicated`);
  if (seen.size !== ORDERS || duplicates > 0) process.exitCode = 1;
} finally {
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
}
