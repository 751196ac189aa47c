import { describe, expect, it } from 'vitest';
import { Pipeline, heapStateBackend, memorySink, silentLogger } from '@weir/core';
import { startCluster } from '@weir/embedded-kafka';
import { kafkaSource, type KafkaRecord } from '../../src/index.js';
import { onCleanup, produce, producerFor, tempDir, until } from './helpers.js';

describe('fairness and backlog', () => {
  it('emits a trickle topic promptly while a hot topic streams beside it', async () => {
    const cluster = await startCluster({ topics: [{ name: 'hot', partitions: 2 }, { name: 'trickle', partitions: 1 }] });
    onCleanup(() => cluster.stop());
    const hotProducer = await producerFor(cluster.bootstrapServers);
    const trickleProducer = await producerFor(cluster.bootstrapServers);
    await produce(hotProducer, 'hot', 2, 20_000); // a backlog to chew on from the start

    const latencies: number[] = [];
    let hotSeen = 0;
    const out = memorySink<number>();
    const p = new Pipeline({ name: 'fairness', checkpoints: { dir: await tempDir(), intervalMs: 500 }, stateBackend: heapStateBackend(), logger: silentLogger });
    p.source('kafka', kafkaSource({ clusters: [{ name: 'main', brokers: cluster.bootstrapServers, topics: ['hot', 'trickle'] }] }))
      .map('observe', (r: KafkaRecord) => {
        if (r.topic === 'trickle') latencies.push(Date.now() - Number(r.value!.toString()));
        else hotSeen++;
        return 1;
      })
      .sink('out', out);
    const job = p.start();
    onCleanup(() => job.stop({ mode: 'cancel' }));
    await until(() => hotSeen > 0, 5000, 'the hot topic to flow');

    let streaming = true;
    const hot = (async () => {
      while (streaming) await produce(hotProducer, 'hot', 2, 2000);
    })();
    onCleanup(async () => {
      streaming = false;
      await hot.catch(() => {});
    });
    const hotBefore = hotSeen;
    const started = Date.now();
    for (let i = 0; i < 15; i++) {
      await trickleProducer.send({ topic: 'trickle', messages: [{ value: String(Date.now()) }] });
      await new Promise((r) => setTimeout(r, 100));
    }
    await until(() => latencies.length === 15, 5000, 'every trickle record');
    const hotRate = ((hotSeen - hotBefore) / (Date.now() - started)) * 1000;
    streaming = false;
    await hot;
    await job.stop({ mode: 'cancel' });
    expect(Math.max(...latencies)).toBeLessThan(1000);
    // the hot topic kept streaming meanwhile (the embedded broker and KafkaJS share one process and two cores)
    expect(hotRate).toBeGreaterThan(5000);
  }, 30_000);

  it('reports per-split backlog (high watermark minus position) and commits offsets for lag monitors', async () => {
    const cluster = await startCluster({ topics: [{ name: 'backlog', partitions: 1 }] });
    onCleanup(() => cluster.stop());
    await produce(await producerFor(cluster.bootstrapServers), 'backlog', 1, 3000);
    const out = memorySink<KafkaRecord>();
    const p = new Pipeline({ name: 'backlog', checkpoints: { dir: await tempDir(), intervalMs: 100 }, stateBackend: heapStateBackend(), logger: silentLogger });
    p.source(
      'kafka',
      kafkaSource({
        clusters: [{ name: 'main', brokers: cluster.bootstrapServers, topics: ['backlog'] }],
        fetchMaxBytesPerPartition: 16_384, // small fetches: the backlog is visible before the end
        maxBufferedRecordsPerSplit: 500,
        commitGroupId: 'weir-lag',
      }),
    )
      .map('slow', (r: KafkaRecord) => {
        const until = performance.now() + 0.05; // 25 ms per fetched batch: the backlog stays visible for a while
        while (performance.now() < until);
        return r;
      })
      .sink('out', out);
    const job = p.start();
    onCleanup(() => job.stop({ mode: 'cancel' }));
    const pending = () => job.status().splits.find((s) => s.split === 'main/backlog/0')?.pendingRecords ?? -1;
    await until(() => pending() > 1000, 5000, 'a large backlog to be reported');
    await until(() => out.committed.length === 3000, 15_000, 'every record');
    await until(() => pending() === 0, 2000, 'the backlog to be reported as gone');
    await until(() => cluster.committedOffset('weir-lag', 'backlog', 0) === 3000, 3000, 'the lag-monitor commit of the final position');
    await job.stop({ mode: 'cancel' });
  }, 30_000);
});
