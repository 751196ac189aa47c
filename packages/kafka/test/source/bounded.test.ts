import { describe, expect, it } from 'vitest';
import { Pipeline, heapStateBackend, memorySink, silentLogger } from '@weir/core';
import { startClusters } from '@weir/embedded-kafka';
import { kafkaSource, type KafkaRecord } from '../../src/index.js';
import { distinctKeys, onCleanup, produce, producerFor, tempDir } from './helpers.js';

describe('bounded mode', () => {
  it('stops every split at the offsets current at start, over two clusters, and the job finishes', async () => {
    const clusters = await startClusters(2, { topics: [{ name: 'orders', partitions: 3 }, { name: 'audit', partitions: 1 }] });
    for (const c of clusters) onCleanup(() => c.stop());
    const [a, b] = clusters as [typeof clusters[0], typeof clusters[0]];
    const pa = await producerFor(a.bootstrapServers);
    const pb = await producerFor(b.bootstrapServers);
    await produce(pa, 'orders', 3, 900);
    await produce(pa, 'audit', 1, 50);
    await produce(pb, 'orders', 3, 300);

    const out = memorySink<KafkaRecord>();
    const p = new Pipeline({ name: 'bounded', checkpoints: { dir: await tempDir(), intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger });
    p.source(
      'kafka',
      kafkaSource({
        clusters: [
          { name: 'a', brokers: a.bootstrapServers, topics: /^(orders|audit)$/ },
          { name: 'b', brokers: b.bootstrapServers, topics: ['orders', 'missing'] },
        ],
        boundedness: 'bounded',
        commitGroupId: 'bounded-lag',
      }),
    ).sink('out', out);
    const job = p.start();
    // records produced once every split is known (its stop offset taken) are beyond the stop offsets
    let ended = false;
    void job.done.finally(() => (ended = true)).catch(() => undefined);
    const deadline = Date.now() + 20_000;
    while (!ended && job.status().splits.filter((x) => x.step === 'kafka').length < 7 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await produce(pa, 'orders', 3, 90, 'late');
    const result = await job.done;
    expect(result.outcome).not.toBe('failed');
    const records = out.committed;
    expect(records.length).toBe(900 + 50 + 300);
    expect(distinctKeys(records).size).toBe(records.length);
    expect(records.some((r) => r.value?.toString().startsWith('late'))).toBe(false);
    const first = records.find((r) => r.cluster === 'a' && r.topic === 'audit')!;
    expect(first.value?.toString()).toBe('audit-0');
    expect(typeof first.offset).toBe('string');
    expect(first.timestamp).toBeGreaterThan(Date.now() - 60_000);
    // the final checkpoint's positions reached the lag-monitor group before the source closed
    expect([0, 1, 2].map((p) => b.committedOffset('bounded-lag', 'orders', p))).toEqual([100, 100, 100]);
    expect(a.committedOffset('bounded-lag', 'audit', 0)).toBe(50);
  });
});
