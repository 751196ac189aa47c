import { Pipeline, collectionSource, generatorSource, silentLogger } from '@weir/core';
import { startCluster } from '@weir/embedded-kafka';
import { describe, expect, it } from 'vitest';
import { javaPartitionForKey, kafkaSink } from '../../src/sink/index.js';
import { readTopic, tempDir } from './helpers.js';

describe('kafka sink, at-least-once, one cluster', () => {
  it('writes keyed records with headers to Java-compatible partitions; everything is acknowledged before each checkpoint completes', async () => {
    const cluster = await startCluster({ brokers: 3, topics: [{ name: 'out', partitions: 6 }] });
    try {
      const N = 20_000;
      const atBarrier: Array<{ written: number; inKafka: number }> = [];
      const sink = kafkaSink<{ id: number }>({
        clusters: [{ brokers: cluster.bootstrapServers }],
        topic: 'out',
        serialize: (r) => ({ key: `k${r.id % 101}`, value: JSON.stringify(r), headers: { source: 'test', n: String(r.id) } }),
      });
      // when prepareCommit returns, everything written before the barrier must be in Kafka
      const createWriter = sink.createWriter.bind(sink);
      sink.createWriter = async (ctx, state) => {
        const w = await createWriter(ctx, state);
        let written = 0;
        return {
          write: (records, ts) => {
            written += records.length;
            return w.write(records, ts);
          },
          prepareCommit: async (id) => {
            const c = await w.prepareCommit(id);
            atBarrier.push({ written, inKafka: cluster.highWatermarks('out').reduce((a, b) => a + b, 0) });
            return c;
          },
          close: () => w.close(),
        };
      };
      const p = new Pipeline({ name: 'alo', checkpoints: { dir: await tempDir(), intervalMs: 100 }, logger: silentLogger });
      p.source('numbers', generatorSource({ splits: 2, recordsPerSplit: N / 2, batchSize: 250, ratePerSecond: 5_000, generate: (s, o) => ({ id: s * (N / 2) + o }) })).sink('kafka', sink);
      const result = await p.run();
      expect(result.outcome).toBe('finished');
      expect(atBarrier.length).toBeGreaterThan(1); // periodic barriers and the final one (how many depends on the machine)
      for (const b of atBarrier) expect(b.inKafka).toBe(b.written);
      expect(atBarrier.at(-1)!.written).toBe(N);
      const read = await readTopic(cluster.bootstrapServers, 'out', { expected: N });
      expect(read.length).toBe(N);
      const ids = new Set(read.map((r) => JSON.parse(r.value).id as number));
      expect(ids.size).toBe(N);
      for (const r of read) {
        expect(r.partition).toBe(javaPartitionForKey(Buffer.from(r.key!), 6));
        expect(r.headers).toEqual({ source: 'test', n: String(JSON.parse(r.value).id) });
      }
      // per key, records arrive in the order they were written
      const lastByKey = new Map<string, number>();
      for (const r of read.sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
        const id = JSON.parse(r.value).id as number;
        const split = id < N / 2 ? 0 : 1;
        const k = `${r.key}/${split}`;
        expect(id).toBeGreaterThan(lastByKey.get(k) ?? -1);
        lastByKey.set(k, id);
      }
    } finally {
      await cluster.stop();
    }
  });

  it('a fast bounded job: every record is in Kafka when run() returns, also records of a topic first seen at the end', async () => {
    const cluster = await startCluster({ topics: [{ name: 'fast', partitions: 4 }, { name: 'late', partitions: 2 }] });
    try {
      const N = 60_000;
      const p = new Pipeline({ name: 'fast', checkpoints: { dir: await tempDir(), intervalMs: 50 }, logger: silentLogger });
      p.source('gen', generatorSource({ splits: 2, recordsPerSplit: N / 2, batchSize: 1_000, generate: (s, o) => s * (N / 2) + o })).sink(
        'kafka',
        kafkaSink<number>({
          clusters: [{ brokers: cluster.bootstrapServers }],
          // the last records go to a topic whose metadata is loaded only then
          serialize: (i) => ({ topic: i % (N / 2) >= N / 2 - 500 ? 'late' : 'fast', key: `k${i % 101}`, value: String(i) }),
        }),
      );
      expect((await p.run()).outcome).toBe('finished');
      const sum = (t: string) => cluster.highWatermarks(t).reduce((a, b) => a + b, 0);
      expect(sum('fast')).toBe(N - 1_000);
      expect(sum('late')).toBe(1_000);
    } finally {
      await cluster.stop();
    }
  });

  it('a topic that does not exist fails the job with a clear error', async () => {
    const cluster = await startCluster({ topics: [{ name: 'present', partitions: 1 }] });
    try {
      const p = new Pipeline({ name: 'missing', checkpoints: { dir: await tempDir(), intervalMs: 1_000 }, logger: silentLogger, restart: { kind: 'none' } });
      p.source('items', collectionSource([1, 2, 3])).sink('kafka', kafkaSink<number>({ clusters: [{ brokers: cluster.bootstrapServers }], topic: 'absent', serialize: (i) => ({ value: String(i) }) }));
      await expect(p.run()).rejects.toThrow(/topic absent does not exist/);
    } finally {
      await cluster.stop();
    }
  });

  it('uses a custom partitioner and explicit partitions', async () => {
    const cluster = await startCluster({ topics: [{ name: 'a', partitions: 4 }, { name: 'b', partitions: 3 }] });
    try {
      const items = Array.from({ length: 300 }, (_, i) => i);
      const p = new Pipeline({ name: 'custom', checkpoints: { dir: await tempDir(), intervalMs: 1_000 }, logger: silentLogger });
      p.source('items', collectionSource(items)).sink(
        'kafka',
        kafkaSink<number>({
          clusters: [{ brokers: cluster.bootstrapServers }],
          serialize: (i) => (i % 2 === 0 ? { topic: 'a', key: String(i), value: String(i) } : { topic: 'b', value: String(i), partition: 2 }),
          partitioner: ({ key }, count) => Number(key!.toString()) % count,
        }),
      );
      expect((await p.run()).outcome).toBe('finished');
      const a = await readTopic(cluster.bootstrapServers, 'a', { expected: 150 });
      const b = await readTopic(cluster.bootstrapServers, 'b', { expected: 150 });
      expect(a.length).toBe(150);
      for (const r of a) expect(r.partition).toBe(Number(r.value) % 4);
      expect(b.length).toBe(150);
      for (const r of b) expect(r.partition).toBe(2);
    } finally {
      await cluster.stop();
    }
  });

  it('loses nothing when leaders move and produce responses are lost or refused mid-stream', async () => {
    const cluster = await startCluster({ brokers: 3, topics: [{ name: 'moving', partitions: 6 }] });
    try {
      const N = 30_000;
      const p = new Pipeline({ name: 'faults', checkpoints: { dir: await tempDir(), intervalMs: 100 }, logger: silentLogger });
      p.source('numbers', generatorSource({ splits: 1, recordsPerSplit: N, batchSize: 500, ratePerSecond: 30_000, generate: (_s, o) => o })).sink(
        'kafka',
        kafkaSink<number>({ clusters: [{ brokers: cluster.bootstrapServers }], topic: 'moving', serialize: (i) => ({ key: `k${i % 37}`, value: String(i) }) }),
      );
      const job = p.start();
      await new Promise((r) => setTimeout(r, 200));
      cluster.failRequests({ apiKey: 0, afterHandling: true, times: 3 }); // appended, then the connection drops (lost acks)
      cluster.failRequests({ apiKey: 0, errorCode: 6, times: 3 }); // NOT_LEADER
      await new Promise((r) => setTimeout(r, 200));
      for (let part = 0; part < 6; part++) cluster.moveLeader('moving', part, (cluster.leaderOf('moving', part) + 1) % 3);
      await new Promise((r) => setTimeout(r, 200));
      await cluster.stopBroker(2);
      const result = await job.done;
      expect(result.outcome).toBe('finished');
      const read = await readTopic(cluster.bootstrapServers, 'moving', { expected: N });
      const values = new Set(read.map((r) => Number(r.value)));
      expect(values.size).toBe(N); // every record at least once
      // idempotent producer sequences: retries after lost acks did not duplicate
      expect(read.length).toBe(N);
    } finally {
      await cluster.stop();
    }
  });
});
