import { describe, expect, it } from 'vitest';
import { Pipeline, heapStateBackend, memorySink, silentLogger } from '@weir/core';
import { startCluster, startClusters } from '@weir/embedded-kafka';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaSource, type KafkaRecord, type KafkaSourceOptions } from '../../src/index.js';
import { distinctKeys, onCleanup, produce, producerFor, tempDir } from './helpers.js';

/** Run a bounded source to its end and return the values it read. */
async function readBounded(options: Omit<KafkaSourceOptions, 'boundedness'>, extra: { subtask?: number; parallelism?: number } = {}): Promise<KafkaRecord[]> {
  const out = memorySink<KafkaRecord>();
  const p = new Pipeline({ name: 'positions', checkpoints: { dir: await tempDir(), intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger, ...extra });
  p.source('kafka', kafkaSource({ ...options, boundedness: 'bounded' })).sink('out', out);
  const result = await p.run();
  expect(result.outcome).not.toBe('failed');
  return out.committed;
}

const values = (records: KafkaRecord[]) => records.map((r) => r.value!.toString()).sort();

describe('start positions and scale-out', () => {
  it('starts at earliest, latest, a timestamp, committed group offsets or explicit offsets, per cluster and topic', async () => {
    const cluster = await startCluster({ topics: [{ name: 't', partitions: 2 }, { name: 'u', partitions: 1 }] });
    onCleanup(() => cluster.stop());
    const producer = await producerFor(cluster.bootstrapServers);
    await produce(producer, 't', 2, 100, 'old');
    await produce(producer, 'u', 1, 10, 'u');
    await new Promise((r) => setTimeout(r, 30));
    const middle = Date.now();
    await new Promise((r) => setTimeout(r, 30));
    await produce(producer, 't', 2, 20, 'new');
    const base = { name: 'c', brokers: cluster.bootstrapServers, topics: ['t'] };

    expect((await readBounded({ clusters: [base] })).length).toBe(120);
    expect(await readBounded({ clusters: [base], startFrom: 'latest' })).toEqual([]);
    expect(values(await readBounded({ clusters: [base], startFrom: { timestamp: middle } }))).toEqual(values(await readBounded({ clusters: [base] })).filter((v) => v.startsWith('new')));
    // explicit offsets for partition 0, the fallback (latest) for partition 1
    const explicit = await readBounded({ clusters: [{ ...base, startFrom: { offsets: { 0: 55 }, fallback: 'latest' } }] });
    expect(explicit.every((r) => r.partition === 0 && Number(r.offset) >= 55)).toBe(true);
    expect(explicit.length).toBe(60 - 55);
    // committed offsets of a group (partition 1 has none: fallback earliest); per-topic override on u
    const admin = new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.setOffsets({ groupId: 'g', topic: 't', partitions: [{ partition: 0, offset: '58' }] });
    await admin.disconnect();
    const committed = await readBounded({
      clusters: [{ ...base, topics: ['t', 'u'], startFrom: { committed: 'g' }, startFromByTopic: { u: 'latest' } }],
    });
    expect(committed.filter((r) => r.partition === 0).length).toBe(2);
    expect(committed.filter((r) => r.partition === 1).length).toBe(60);
    expect(committed.some((r) => r.topic === 'u')).toBe(false);
  }, 30_000);

  it('splits the partitions of every cluster and topic over instances: balanced, each record read once', async () => {
    const cluster = await startCluster({ topics: [{ name: 'x', partitions: 3 }, { name: 'y', partitions: 2 }] });
    onCleanup(() => cluster.stop());
    const producer = await producerFor(cluster.bootstrapServers);
    await produce(producer, 'x', 3, 300);
    await produce(producer, 'y', 2, 200);
    const clusters = [{ name: 'c', brokers: cluster.bootstrapServers, topics: /^[xy]$/ }];
    const parts = await Promise.all([0, 1].map((subtask) => readBounded({ clusters }, { subtask, parallelism: 2 })));
    const splitsOf = (rs: KafkaRecord[]) => new Set(rs.map((r) => `${r.topic}/${r.partition}`));
    // sorted c/x/0 c/x/1 c/x/2 c/y/0 c/y/1, dealt round-robin
    expect(splitsOf(parts[0]!)).toEqual(new Set(['x/0', 'x/2', 'y/1']));
    expect(splitsOf(parts[1]!)).toEqual(new Set(['x/1', 'y/0']));
    expect(distinctKeys([...parts[0]!, ...parts[1]!]).size).toBe(500);
  }, 30_000);

  it('rotates the deal per cluster so remainders spread over instances', async () => {
    const clusters = await startClusters(2, { topics: [{ name: 'x', partitions: 3 }] });
    for (const c of clusters) onCleanup(() => c.stop());
    for (const c of clusters) await produce(await producerFor(c.bootstrapServers), 'x', 3, 30);
    const specs = clusters.map((c, i) => ({ name: `k${i}`, brokers: c.bootstrapServers, topics: ['x'] }));
    const parts = await Promise.all([0, 1].map((subtask) => readBounded({ clusters: specs }, { subtask, parallelism: 2 })));
    const splitsOf = (rs: KafkaRecord[]) => new Set(rs.map((r) => `${r.cluster}/${r.partition}`));
    // k0 (rank 0) deals x/0 x/1 x/2 to 0 1 0; k1 (rank 1) starts one further: 1 0 1
    expect(splitsOf(parts[0]!)).toEqual(new Set(['k0/0', 'k0/2', 'k1/1']));
    expect(splitsOf(parts[1]!)).toEqual(new Set(['k0/1', 'k1/0', 'k1/2']));
    expect(distinctKeys([...parts[0]!, ...parts[1]!]).size).toBe(60);
  }, 30_000);
});
