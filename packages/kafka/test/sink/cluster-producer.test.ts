import { startCluster } from '@weir/embedded-kafka';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ClusterProducer, type OutMessage } from '../../src/sink/cluster-producer.js';
import { adapters, transportFor } from '../adapters.js';

describe.each(adapters)('cluster producer (%s)', (adapter) => {
  it('sends waiting for the metadata of an unreachable cluster count as pending and are handed back by abandon, in order', async () => {
    const cluster = await startCluster({ topics: [{ name: 'known', partitions: 2 }] });
    let handedBack: OutMessage[] = [];
    let failures = 0;
    const producer: ClusterProducer = new ClusterProducer({
      transport: transportFor(adapter, cluster.bootstrapServers),
      transactionTimeoutMs: 60_000,
      requestTimeoutMs: 1_000,
      deliveryTimeoutMs: 800,
      maxBatchMessages: 1_000,
      onRequest: (ok) => void (ok || failures++),
      onStuck: (err) => (handedBack = producer.abandon(err)),
    });
    try {
      await producer.connect();
      await producer.begin(undefined, 2_000);
      await producer.send([{ topic: 'known', key: Buffer.from('k'), value: 'first' }]);
      await cluster.createTopic('fresh', 2); // not in the producer's metadata yet
      await cluster.stop();
      const first = producer.send([{ topic: 'fresh', key: Buffer.from('a'), value: 'f1' }]);
      const second = producer.send([{ topic: 'known', key: Buffer.from('b'), value: 'k2' }]); // queued behind the metadata load
      expect(producer.pending).toBe(2);
      const outcomes = await Promise.allSettled([first, second]);
      expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
      expect(failures).toBeGreaterThan(0);
      expect(handedBack.map((m) => m.value)).toEqual(['f1', 'k2']);
      expect(producer.pending).toBe(0);
      await producer.flush(); // nothing left
    } finally {
      await producer.close();
      await cluster.stop();
    }
  });

  it('keeps every timestamp exact when one send spans years (batches are cut before a 2^31 ms delta)', async () => {
    const cluster = await startCluster({ topics: [{ name: 'times', partitions: 1 }] });
    const day = 86_400_000;
    const base = Date.UTC(2020, 0, 1);
    // out of order, years apart, and one without a timestamp (the broker-side default: now)
    const stamps = [base, base + 400 * day, base + 3, base + 30 * day, base - 90 * day, base + 1200 * day, undefined, base + 1];
    const producer = new ClusterProducer({ transport: transportFor(adapter, cluster.bootstrapServers), transactionTimeoutMs: 60_000, requestTimeoutMs: 5_000, deliveryTimeoutMs: 10_000, maxBatchMessages: 1_000 });
    const consumer = new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING }).consumer({ groupId: `times-${adapter}` });
    try {
      await producer.connect();
      await producer.begin(undefined, 5_000);
      const before = Date.now();
      await producer.send(stamps.map((t, i) => ({ topic: 'times', partition: 0, key: null, value: String(i), ...(t !== undefined ? { timestamp: t } : {}) })));
      await producer.flush();
      const after = Date.now();
      await consumer.connect();
      await consumer.subscribe({ topic: 'times', fromBeginning: true });
      const got: Array<{ value: string; timestamp: number }> = [];
      await new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            got.push({ value: message.value!.toString(), timestamp: Number(message.timestamp) });
            if (got.length === stamps.length) resolve();
          },
        });
      });
      expect(got.map((g) => g.value)).toEqual(stamps.map((_, i) => String(i)));
      got.forEach((g, i) => {
        const t = stamps[i];
        if (t === undefined) expect(g.timestamp >= before - 5 && g.timestamp <= after + 5, `record ${i} stamped now`).toBe(true);
        else expect(g.timestamp, `record ${i}`).toBe(t);
      });
    } finally {
      await consumer.disconnect();
      await producer.close();
      await cluster.stop();
    }
  });
});
