import { describe, expect, it } from 'vitest';
import { Pipeline, heapStateBackend, memorySink, silentLogger } from '@weir/core';
import { startCluster } from '@weir/embedded-kafka';
import { kafkaSource, type KafkaRecord, type KafkaSourceOptions } from '../../src/index.js';
import { distinctKeys, onCleanup, produce, producerFor, tempDir, until } from './helpers.js';

describe('rescaling', () => {
  it('moves from one instance to two: the restored instance keeps its share, the new one starts at the committed offsets', async () => {
    const cluster = await startCluster({ topics: [{ name: 'orders', partitions: 4 }] });
    onCleanup(() => cluster.stop());
    const producer = await producerFor(cluster.bootstrapServers);
    await produce(producer, 'orders', 4, 400, 'first');
    const options: KafkaSourceOptions = {
      clusters: [{ name: 'c', brokers: cluster.bootstrapServers, topics: ['orders'] }],
      commitGroupId: 'orders-job',
      // instances that restore nothing continue from what the job committed after its checkpoints
      startFrom: { committed: 'orders-job', fallback: 'earliest' },
    };
    const build = async (out: ReturnType<typeof memorySink<KafkaRecord>>, dir: string, scale: { subtask: number; parallelism: number }, restoreFrom?: string) => {
      const p = new Pipeline({ name: 'rescale', checkpoints: { dir, intervalMs: 100 }, stateBackend: heapStateBackend(), logger: silentLogger, restoreFrom, ...scale });
      p.source('kafka', kafkaSource(options)).sink('out', out);
      const job = p.start();
      onCleanup(() => job.stop({ mode: 'cancel' }));
      return job;
    };

    const dir0 = await tempDir();
    const one = memorySink<KafkaRecord>();
    const job = await build(one, dir0, { subtask: 0, parallelism: 1 });
    await until(() => one.committed.length === 400, 5000, 'the single instance');
    await until(() => [0, 1, 2, 3].every((p) => cluster.committedOffset('orders-job', 'orders', p) === 100), 3000, 'the committed offsets');
    const stopped = await job.stop({ mode: 'suspend' });
    await produce(producer, 'orders', 4, 400, 'second');

    const outs = [memorySink<KafkaRecord>(), memorySink<KafkaRecord>()];
    const jobs = [
      await build(outs[0]!, dir0, { subtask: 0, parallelism: 2 }, stopped.savepoint!.path),
      await build(outs[1]!, await tempDir(), { subtask: 1, parallelism: 2 }),
    ];
    await until(() => outs[0]!.committed.length + outs[1]!.committed.length >= 400, 8000, 'both instances');
    await new Promise((r) => setTimeout(r, 300));
    for (const j of jobs) await j.stop({ mode: 'drain' });
    const all = [...outs[0]!.committed, ...outs[1]!.committed];
    expect(all.length).toBe(400);
    expect(distinctKeys(all).size).toBe(400);
    expect(all.every((r) => r.value!.toString().startsWith('second-'))).toBe(true);
    expect(new Set(outs[0]!.committed.map((r) => r.partition))).toEqual(new Set([0, 2]));
    expect(new Set(outs[1]!.committed.map((r) => r.partition))).toEqual(new Set([1, 3]));
  }, 30_000);
});
