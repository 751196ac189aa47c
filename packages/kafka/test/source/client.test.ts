import { describe, expect, it } from 'vitest';
import { Pipeline, heapStateBackend, memorySink, silentLogger } from '@weir/core';
import { startCluster } from '@weir/embedded-kafka';
import { defaultTransport, kafkaSource, type KafkaTransportFactory, type KafkaRecord } from '../../src/index.js';
import { adapters } from '../adapters.js';
import { distinctKeys, onCleanup, produce, producerFor, tempDir, until } from './helpers.js';

describe.each(adapters)('transport interface (%s)', (adapter) => {
  it('runs on any KafkaTransport: a wrapper whose fetches fail every few calls still yields every record once', async () => {
    const cluster = await startCluster({ topics: [{ name: 'orders', partitions: 3 }] });
    onCleanup(() => cluster.stop());
    const producer = await producerFor(cluster.bootstrapServers);
    // small record batches: a fetch returns at least one whole batch, so small batches mean many fetches
    for (let i = 0; i < 3000; i += 30) await producer.send({ topic: 'orders', messages: Array.from({ length: 30 }, (_, k) => ({ partition: (i + k) % 3, value: `v${i + k}` })) });
    const real = defaultTransport(adapter);
    let fetches = 0;
    let failed = 0;
    const flaky: KafkaTransportFactory = (spec) => {
      const client = real(spec);
      return {
        ...bind(client),
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
    p.source('kafka', kafkaSource({ clusters: [{ name: 'c', brokers: cluster.bootstrapServers, topics: ['orders'] }], transport: flaky, reconnectBackoff: { initialMs: 10, maxMs: 50 } })).sink(
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
    p.source('kafka', kafkaSource({ clusters: [{ name: 'c', brokers: cluster.bootstrapServers, topics: ['orders'], startFrom: { offsets: { 0: 5000 } } }], transport: defaultTransport(adapter) })).sink('out', out);
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

/** Every method of `t`, bound (a wrapper overrides some and keeps the rest). */
function bind<T extends object>(t: T): T {
  const out: Record<string, unknown> = {};
  for (let o: object | null = t; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const k of Object.getOwnPropertyNames(o)) {
      const v = (t as Record<string, unknown>)[k];
      if (k !== 'constructor' && typeof v === 'function' && !(k in out)) out[k] = v.bind(t);
    }
  }
  return out as T;
}
