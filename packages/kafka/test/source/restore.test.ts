import { describe, expect, it } from 'vitest';
import { Pipeline, heapStateBackend, memorySink, silentLogger } from '@weir/core';
import { startClusters } from '@weir/embedded-kafka';
import { kafkaSource, type KafkaRecord } from '../../src/index.js';
import { distinctKeys, onCleanup, perCluster, produce, producerFor, tempDir, until } from './helpers.js';

describe('restore', () => {
  it('resumes every split at its savepoint offset, also while its cluster is still down at the restart', async () => {
    const clusters = await startClusters(2, { topics: [{ name: 'orders', partitions: 2 }] });
    for (const c of clusters) onCleanup(() => c.stop());
    const [a, b] = clusters as [(typeof clusters)[0], (typeof clusters)[0]];
    const pa = await producerFor(a.bootstrapServers);
    const pb = await producerFor(b.bootstrapServers);
    await produce(pa, 'orders', 2, 400, 'a0');
    await produce(pb, 'orders', 2, 400, 'b0');
    const checkpoints = await tempDir();
    const build = (out: ReturnType<typeof memorySink<KafkaRecord>>, restoreFrom?: string) => {
      const p = new Pipeline({ name: 'restore', checkpoints: { dir: checkpoints, intervalMs: 100 }, stateBackend: heapStateBackend(), logger: silentLogger, restoreFrom });
      p.source(
        'kafka',
        kafkaSource({
          clusters: [
            { name: 'a', brokers: a.bootstrapServers, topics: ['orders'] },
            { name: 'b', brokers: b.bootstrapServers, topics: ['orders'] },
          ],
          // a restore must ignore the start position: it only applies to splits no checkpoint knows
          startFrom: 'latest',
          reconnectBackoff: { initialMs: 50, maxMs: 300 },
        }),
      ).sink('out', out);
      return p;
    };

    // first run starts at 'latest': only records produced after the start are read
    const first = memorySink<KafkaRecord>();
    const job1 = build(first).start();
    onCleanup(() => job1.stop({ mode: 'cancel' }));
    await until(() => job1.status().splits.length === 4, 5000, 'four splits');
    await new Promise((r) => setTimeout(r, 200));
    await produce(pa, 'orders', 2, 300, 'a1');
    await produce(pb, 'orders', 2, 300, 'b1');
    await until(() => first.committed.length === 600, 5000, 'the first run to read what was produced after its start');
    const stopped = await job1.stop({ mode: 'suspend' });
    expect(stopped.savepoint).toBeDefined();
    const firstKeys = distinctKeys(first.committed);

    // more data; b goes down before the restart
    await produce(pa, 'orders', 2, 250, 'a2');
    await produce(pb, 'orders', 2, 250, 'b2');
    await pb.disconnect();
    await b.stop();

    const second = memorySink<KafkaRecord>();
    const job2 = build(second, stopped.savepoint!.path).start();
    onCleanup(() => job2.stop({ mode: 'cancel' }));
    await until(() => (perCluster(second.committed).a ?? 0) === 250, 5000, "a's remaining records while b is down");
    expect(perCluster(second.committed).b).toBeUndefined();
    await b.start();
    await until(() => (perCluster(second.committed).b ?? 0) === 250, 8000, "b's remaining records after it came back");
    await new Promise((r) => setTimeout(r, 300));
    await job2.stop({ mode: 'drain' });
    expect(second.committed.length).toBe(500);
    const secondKeys = distinctKeys(second.committed);
    for (const k of secondKeys) expect(firstKeys.has(k)).toBe(false);
    expect(second.committed.every((r) => /^(a2|b2)-/.test(r.value!.toString()))).toBe(true);
  }, 30_000);
});
