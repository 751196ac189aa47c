import { describe, expect, it } from 'vitest';
import { Pipeline, WatermarkStrategies, heapStateBackend, memorySink, silentLogger } from '@weir/core';
import { startClusters } from '@weir/embedded-kafka';
import { kafkaSource, type KafkaRecord } from '../../src/index.js';
import { distinctKeys, onCleanup, perCluster, produce, producerFor, tempDir, until } from './helpers.js';

describe('unreachable clusters', () => {
  it('keeps healthy clusters flowing while one is down from the start and one fails mid-stream; all records exactly once after recovery', async () => {
    const clusters = await startClusters(3, { topics: [{ name: 'orders', partitions: 3 }] });
    for (const c of clusters) onCleanup(() => c.stop());
    const [a, b, c] = clusters as [(typeof clusters)[0], (typeof clusters)[0], (typeof clusters)[0]];
    const produced = { a: 0, b: 0, c: 0 };
    // cluster c has data but is down before the job starts
    const pc = await producerFor(c.bootstrapServers);
    await produce(pc, 'orders', 3, 600, 'c0');
    produced.c += 600;
    await pc.disconnect();
    await c.stop();

    const pa = await producerFor(a.bootstrapServers);
    const pb = await producerFor(b.bootstrapServers);
    await produce(pa, 'orders', 3, 600, 'a0');
    await produce(pb, 'orders', 3, 600, 'b0');
    produced.a += 600;
    produced.b += 600;

    const out = memorySink<KafkaRecord>();
    const p = new Pipeline({ name: 'outage', checkpoints: { dir: await tempDir(), intervalMs: 150 }, stateBackend: heapStateBackend(), logger: silentLogger });
    p.source(
      'kafka',
      kafkaSource({
        clusters: ['a', 'b', 'c'].map((name, i) => ({ name, brokers: clusters[i]!.bootstrapServers, topics: ['orders'] })),
        discoveryIntervalMs: 300,
        reconnectBackoff: { initialMs: 50, maxMs: 400 },
        commitGroupId: 'lag-monitor',
      }),
      { watermarks: WatermarkStrategies.forBoundedOutOfOrderness<KafkaRecord>(0, (r) => r.timestamp).withIdleness(300) },
    ).sink('out', out);
    const job = p.start();
    onCleanup(() => job.stop({ mode: 'cancel' }));
    const committed = (cluster: string) => perCluster(out.committed)[cluster] ?? 0;

    await until(() => committed('a') === produced.a && committed('b') === produced.b, 10_000, 'a and b to catch up while c is down');

    // b fails mid-stream
    await pb.disconnect();
    await b.stop();
    const outageStart = Date.now();
    for (let round = 0; round < 5; round++) {
      await produce(pa, 'orders', 3, 200, `a${round + 1}`);
      produced.a += 200;
      await until(() => committed('a') === produced.a, 3000, `a's round ${round} to be committed during b's outage`);
    }
    expect(Date.now() - outageStart).toBeLessThan(8000);
    // event time is not held back by b's silent splits (they went idle): without idleness their old
    // watermark would keep the source's minimum where b stopped
    const wmBefore = job.status().steps.find((s) => s.step === 'kafka')!.watermark!;
    await new Promise((r) => setTimeout(r, 50));
    await produce(pa, 'orders', 3, 30, 'a-wm');
    produced.a += 30;
    await until(() => (job.status().steps.find((s) => s.step === 'kafka')!.watermark ?? 0) > wmBefore, 3000, 'the watermark to advance while b is down');

    // b comes back with more data; c comes up for the first time
    await b.start();
    const pb2 = await producerFor(b.bootstrapServers);
    await produce(pb2, 'orders', 3, 300, 'b1');
    produced.b += 300;
    await c.start();
    const pc2 = await producerFor(c.bootstrapServers);
    await produce(pc2, 'orders', 3, 300, 'c1');
    produced.c += 300;
    await produce(pa, 'orders', 3, 300, 'a9');
    produced.a += 300;

    await until(() => committed('a') === produced.a && committed('b') === produced.b && committed('c') === produced.c, 15_000, 'every cluster to be committed');
    const result = await job.stop({ mode: 'drain' });
    expect(result.outcome).toBe('drained');
    expect(result.restarts).toBe(0);
    const records = out.committed;
    const total = produced.a + produced.b + produced.c;
    expect(records.length).toBe(total);
    expect(distinctKeys(records).size).toBe(total);
    expect(perCluster(records)).toEqual(produced);
    // offsets of completed checkpoints were committed to the lag-monitor group (best effort, so poll)
    await until(() => a.committedOffset('lag-monitor', 'orders', 0) !== undefined, 3000, 'a lag-monitor commit');
  }, 30_000);

  it('keeps a healthy cluster flowing while another one hangs every Fetch, and catches up once it answers', async () => {
    const clusters = await startClusters(2, { topics: [{ name: 'orders', partitions: 2 }] });
    for (const c of clusters) onCleanup(() => c.stop());
    const [a, b] = clusters as [(typeof clusters)[0], (typeof clusters)[0]];
    const pa = await producerFor(a.bootstrapServers);
    const pb = await producerFor(b.bootstrapServers);
    b.hangRequests({ apiKey: 1 }); // Fetch
    await produce(pa, 'orders', 2, 200, 'a0');
    await produce(pb, 'orders', 2, 200, 'b0');
    const out = memorySink<KafkaRecord>();
    const p = new Pipeline({ name: 'hang', checkpoints: { dir: await tempDir(), intervalMs: 100 }, stateBackend: heapStateBackend(), logger: silentLogger });
    p.source(
      'kafka',
      kafkaSource({
        clusters: ['a', 'b'].map((name, i) => ({ name, brokers: clusters[i]!.bootstrapServers, topics: ['orders'], requestTimeoutMs: 1500 })),
        reconnectBackoff: { initialMs: 50, maxMs: 300 },
      }),
    ).sink('out', out);
    const job = p.start();
    onCleanup(() => job.stop({ mode: 'cancel' }));
    await until(() => perCluster(out.committed).a === 200, 5000, 'a while b hangs');
    await produce(pa, 'orders', 2, 200, 'a1');
    await until(() => perCluster(out.committed).a === 400, 5000, 'more of a while b hangs');
    expect(perCluster(out.committed).b).toBeUndefined();
    b.clearFaults();
    await until(() => perCluster(out.committed).b === 200, 8000, 'b once its fetches are answered');
    await job.stop({ mode: 'drain' });
    expect(distinctKeys(out.committed).size).toBe(600);
  }, 30_000);

  it('stops promptly while a cluster hangs every request', async () => {
    const [cluster] = await startClusters(1, { topics: [{ name: 'orders', partitions: 2 }] });
    onCleanup(() => cluster!.stop());
    onCleanup(async () => cluster!.clearFaults()); // runs first: releases what the source left hanging
    for (const apiKey of [1, 2, 3, 18]) cluster!.hangRequests({ apiKey }); // Fetch, ListOffsets, Metadata, ApiVersions
    const p = new Pipeline({ name: 'hung-stop', checkpoints: { dir: await tempDir(), intervalMs: 100 }, stateBackend: heapStateBackend(), logger: silentLogger });
    p.source('kafka', kafkaSource({ clusters: [{ name: 'c', brokers: cluster!.bootstrapServers, topics: ['orders'] }] })).sink('out', memorySink<KafkaRecord>());
    const job = p.start();
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = Date.now();
    const result = await job.stop({ mode: 'drain' });
    expect(result.outcome).toBe('drained');
    expect(Date.now() - t0).toBeLessThan(3000);
  }, 30_000);
});
