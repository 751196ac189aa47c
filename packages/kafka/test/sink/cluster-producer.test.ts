import { startCluster } from '@weir/embedded-kafka';
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
});
