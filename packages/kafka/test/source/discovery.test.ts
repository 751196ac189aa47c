import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Pipeline, heapStateBackend, memorySink, silentLogger } from '@weir/core';
import { startClusters } from '@weir/embedded-kafka';
import { kafkaSource, parseClustersFile, type KafkaRecord } from '../../src/index.js';
import { distinctKeys, onCleanup, perCluster, produce, producerFor, tempDir, until } from './helpers.js';

describe('runtime discovery', () => {
  it('picks up new partitions, new matching topics and clusters added to the watched JSON file; removal stops a cluster and re-adding resumes it', async () => {
    const clusters = await startClusters(2, { topics: [{ name: 'events-1', partitions: 1 }] });
    for (const c of clusters) onCleanup(() => c.stop());
    const [a, b] = clusters as [(typeof clusters)[0], (typeof clusters)[0]];
    const dir = await tempDir();
    const file = join(dir, 'clusters.json');
    const entry = (name: string, brokers: string[]) => ({ name, brokers, topicPattern: '^events-' });
    await writeFile(file, JSON.stringify({ clusters: [entry('a', a.bootstrapServers)] }));

    const pa = await producerFor(a.bootstrapServers);
    const pb = await producerFor(b.bootstrapServers);
    await produce(pa, 'events-1', 1, 100, 'a1');
    await produce(pb, 'events-1', 1, 100, 'b1');

    const out = memorySink<KafkaRecord>();
    const p = new Pipeline({ name: 'discovery', checkpoints: { dir: await tempDir(), intervalMs: 100 }, stateBackend: heapStateBackend(), logger: silentLogger });
    p.source('kafka', kafkaSource({ clusters: { file, intervalMs: 60_000 }, discoveryIntervalMs: 200, newSplitsStartFrom: 'earliest' })).sink('out', out);
    const job = p.start();
    onCleanup(() => job.stop({ mode: 'cancel' }));
    const count = () => out.committed.length;
    await until(() => count() === 100, 5000, 'cluster a');

    // new partitions of a known topic, and a new topic matching the pattern: no restart
    await a.createPartitions('events-1', 3);
    await a.createTopic('events-2', 2);
    await a.createTopic('other', 1); // does not match
    await pa.disconnect(); // a fresh producer: KafkaJS's producer drops records for partitions its metadata lacks
    const pa2 = await producerFor(a.bootstrapServers);
    await produce(pa2, 'events-1', 3, 90, 'a2');
    await produce(pa2, 'events-2', 2, 40, 'a3');
    await produce(pa2, 'other', 1, 10, 'x');
    await until(() => count() === 230, 5000, 'new partitions and topic');
    expect(new Set(out.committed.map((r) => `${r.topic}/${r.partition}`))).toEqual(new Set(['events-1/0', 'events-1/1', 'events-1/2', 'events-2/0', 'events-2/1']));

    // a cluster added to the file starts flowing (fs.watch; the periodic re-read is a minute away)
    await writeFile(file, JSON.stringify({ clusters: [entry('a', a.bootstrapServers), entry('b', b.bootstrapServers)] }));
    await until(() => count() === 330, 5000, 'cluster b after it was added to the file');

    // removing b stops it; its offsets are kept, so re-adding resumes without re-reading
    await writeFile(file, JSON.stringify({ clusters: [entry('a', a.bootstrapServers)] }));
    await until(() => job.status().splits.every((s) => !s.split.startsWith('b/')), 5000, "b's splits to be removed");
    await produce(pb, 'events-1', 1, 50, 'b2');
    await produce(pa2, 'events-1', 3, 30, 'a4');
    await until(() => count() === 360, 5000, 'a while b is removed');
    await new Promise((r) => setTimeout(r, 400));
    expect(perCluster(out.committed).b).toBe(100);
    await writeFile(file, JSON.stringify({ clusters: [entry('a', a.bootstrapServers), entry('b', b.bootstrapServers)] }));
    await until(() => count() === 410, 5000, 'b after re-adding');

    await job.stop({ mode: 'drain' });
    expect(distinctKeys(out.committed).size).toBe(410);
    expect(perCluster(out.committed)).toEqual({ a: 260, b: 150 });
  }, 30_000);

  it('keeps a removed cluster\'s offsets in checkpoints: re-added after a restore, it resumes where it stopped (callback provider)', async () => {
    const clusters = await startClusters(2, { topics: [{ name: 'orders', partitions: 2 }] });
    for (const c of clusters) onCleanup(() => c.stop());
    const [a, b] = clusters as [(typeof clusters)[0], (typeof clusters)[0]];
    const pa = await producerFor(a.bootstrapServers);
    const pb = await producerFor(b.bootstrapServers);
    await produce(pa, 'orders', 2, 100, 'a0');
    await produce(pb, 'orders', 2, 100, 'b0');
    let list = [
      { name: 'a', brokers: a.bootstrapServers, topics: ['orders'] },
      { name: 'b', brokers: b.bootstrapServers, topics: ['orders'] },
    ];
    const checkpoints = await tempDir();
    const build = (out: ReturnType<typeof memorySink<KafkaRecord>>, restoreFrom?: string) => {
      const p = new Pipeline({ name: 'retention', checkpoints: { dir: checkpoints, intervalMs: 100 }, stateBackend: heapStateBackend(), logger: silentLogger, restoreFrom });
      p.source('kafka', kafkaSource({ clusters: { provider: () => list, intervalMs: 100 }, discoveryIntervalMs: 200 })).sink('out', out);
      return p.start();
    };
    const first = memorySink<KafkaRecord>();
    const job1 = build(first);
    onCleanup(() => job1.stop({ mode: 'cancel' }));
    await until(() => first.committed.length === 200, 5000, 'both clusters');
    list = list.filter((c) => c.name === 'a');
    await until(() => job1.status().splits.every((s) => !s.split.startsWith('b/')), 5000, "b's splits to be removed");
    const stopped = await job1.stop({ mode: 'suspend' });

    await produce(pb, 'orders', 2, 70, 'b1');
    list = [...list, { name: 'b', brokers: b.bootstrapServers, topics: ['orders'] }];
    const second = memorySink<KafkaRecord>();
    const job2 = build(second, stopped.savepoint!.path);
    onCleanup(() => job2.stop({ mode: 'cancel' }));
    await until(() => second.committed.length === 70, 5000, "b's records produced while it was removed");
    await new Promise((r) => setTimeout(r, 300));
    await job2.stop({ mode: 'drain' });
    expect(second.committed.length).toBe(70);
    expect(second.committed.every((r) => r.cluster === 'b' && r.value!.toString().startsWith('b1-'))).toBe(true);
  }, 30_000);

  it('parses the clusters file format', () => {
    const specs = parseClustersFile(JSON.stringify({ clusters: [{ name: 'x', brokers: ['h:1'], topicPattern: '^a' }, { name: 'y', brokers: ['h:2'], topics: ['t'] }] }));
    expect(specs[0]!.topics).toBeInstanceOf(RegExp);
    expect((specs[0]!.topics as RegExp).test('abc')).toBe(true);
    expect(specs[1]!.topics).toEqual(['t']);
    expect(() => parseClustersFile('{"clusters":[{"name":"z","brokers":["h:1"]}]}')).toThrow(/topics/);
  });
});
