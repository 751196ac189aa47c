import { describe, expect, it } from 'vitest';
import { Pipeline, heapStateBackend, memorySink, silentLogger } from '@weir/core';
import { startCluster } from '@weir/embedded-kafka';
import { kafkaSource, type KafkaRecord } from '../../src/index.js';
import { distinctKeys, onCleanup, produce, producerFor, tempDir, until } from './helpers.js';

describe('broker failover', () => {
  it('follows leaders to live brokers when one broker of a cluster stops, without losing or repeating records', async () => {
    const cluster = await startCluster({ brokers: 3, topics: [{ name: 'orders', partitions: 6 }] });
    onCleanup(() => cluster.stop());
    const producer = await producerFor(cluster.bootstrapServers);
    await produce(producer, 'orders', 6, 600, 'before');
    const out = memorySink<KafkaRecord>();
    const p = new Pipeline({ name: 'failover', checkpoints: { dir: await tempDir(), intervalMs: 100 }, stateBackend: heapStateBackend(), logger: silentLogger });
    p.source('kafka', kafkaSource({ clusters: [{ name: 'c', brokers: cluster.bootstrapServers, topics: ['orders'] }], reconnectBackoff: { initialMs: 50, maxMs: 300 } })).sink(
      'out',
      out,
    );
    const job = p.start();
    onCleanup(() => job.stop({ mode: 'cancel' }));
    await until(() => out.committed.length === 600, 5000, 'the first records');
    const victim = cluster.leaderOf('orders', 1);
    await cluster.stopBroker(victim);
    await producer.disconnect();
    const producer2 = await producerFor(cluster.bootstrapServers.filter((_b, i) => i !== victim));
    await produce(producer2, 'orders', 6, 600, 'during');
    await until(() => out.committed.length === 1200, 8000, 'records produced while a broker is down');
    await cluster.startBroker(victim);
    await produce(producer2, 'orders', 6, 600, 'after');
    await until(() => out.committed.length === 1800, 8000, 'records produced after the broker returned');
    await job.stop({ mode: 'drain' });
    expect(distinctKeys(out.committed).size).toBe(1800);
  }, 30_000);
});
