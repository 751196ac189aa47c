import { describe, expect, it } from 'vitest';
import { Pipeline, heapStateBackend, memorySink, silentLogger } from '@weir/core';
import { startCluster } from '@weir/embedded-kafka';
import { kafkaJsClientFactory, kafkaSource, type KafkaClientFactory, type KafkaRecord } from '../../src/index.js';
import { distinctKeys, onCleanup, produce, producerFor, tempDir, until } from './helpers.js';

describe('client interface', () => {
  it('runs on any KafkaClusterClient: a wrapper whose fetches fail every few calls still yields every record once', async () => {
    const cluster = await startCluster({ topics: [{ name: 'orders', partitions: 3 }] });
    onCleanup(() => cluster.stop());
    const producer = await producerFor(cluster.bootstrapServers);
    // small record batches: a fetch returns at least one whole batch, so small batches mean many fetches
    for (let i = 0; i < 3000; i += 30) await producer.send({ topic: 'orders', messages: Array.from({ length: 30 }, (_, k) => ({ partition: (i + k) % 3, value: `v${i + k}` })) });
    const real = kafkaJsClientFactory();
    let fetches = 0;
    let failed = 0;
    const flaky: KafkaClientFactory = (spec) => {
      const client = real(spec);
      return {
        connect: () => client.connect(),
        listTopics: () => client.listTopics(),
        partitionCounts: (t) => client.partitionCounts(t),
        listOffsets: (t, s) => client.listOffsets(t, s),
        committedOffsets: (g, t) => client.committedOffsets(g, t),
        commitOffsets: (g, o) => client.commitOffsets(g, o),
        leaders: (p, r) => client.leaders(p, r),
        close: () => client.close(),
        fetch: async (node, request) => {
          if (++fetches % 4 === 0) {
            failed++;
            throw new Error('injected fetch failure');
          }
          return client.fetch(node, { ...request, maxBytesPerPartition: 512 });
        },
      };
    };
    const out = memorySink<KafkaRecord>();
    const p = new Pipeline({ name: 'flaky', checkpoints: { dir: await tempDir(), intervalMs: 100 }, stateBackend: heapStateBackend(), logger: silentLogger });
    p.source('kafka', kafkaSource({ clusters: [{ name: 'c', brokers: cluster.bootstrapServers, topics: ['orders'] }], clientFactory: flaky, reconnectBackoff: { initialMs: 10, maxMs: 50 } })).sink(
      'out',
      out,
    );
    const job = p.start();
    onCleanup(() => job.stop({ mode: 'cancel' }));
    await until(() => out.committed.length >= 3000, 15_000, 'every record despite failing fetches');
    await job.stop({ mode: 'drain' });
    expect(failed).toBeGreaterThan(5);
    expect(out.committed.length).toBe(3000);
    expect(distinctKeys(out.committed).size).toBe(3000);
  }, 30_000);

  it('continues at the nearest valid offset when a split points past the end of its partition', async () => {
    const cluster = await startCluster({ topics: [{ name: 'orders', partitions: 1 }] });
    onCleanup(() => cluster.stop());
    const producer = await producerFor(cluster.bootstrapServers);
    await produce(producer, 'orders', 1, 100, 'old');
    const out = memorySink<KafkaRecord>();
    const p = new Pipeline({ name: 'oor', checkpoints: { dir: await tempDir(), intervalMs: 100 }, stateBackend: heapStateBackend(), logger: silentLogger });
    p.source('kafka', kafkaSource({ clusters: [{ name: 'c', brokers: cluster.bootstrapServers, topics: ['orders'], startFrom: { offsets: { 0: 5000 } } }] })).sink('out', out);
    const job = p.start();
    onCleanup(() => job.stop({ mode: 'cancel' }));
    await until(() => job.status().splits.length === 1, 5000, 'the split');
    await new Promise((r) => setTimeout(r, 500)); // the out-of-range fetch resets the split to the end (100)
    await produce(producer, 'orders', 1, 10, 'new');
    await until(() => out.committed.length === 10, 5000, 'the records after the reset');
    await job.stop({ mode: 'drain' });
    expect(out.committed.map((r) => r.offset)).toEqual(Array.from({ length: 10 }, (_, i) => String(100 + i)));
  }, 30_000);
});
