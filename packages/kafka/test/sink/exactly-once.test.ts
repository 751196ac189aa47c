import { Pipeline, generatorSource, silentLogger, type Sink } from '@weir/core';
import { startCluster, startClusters } from '@weir/embedded-kafka';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaSink, type KafkaTransactionCommittable } from '../../src/sink/index.js';
import { readTopic, tempDir } from './helpers.js';

type Rec = { s: number; o: number };

function eosSink(clusters: Array<{ name: string; brokers: string[] }>, mode: 'replicate' | 'failover' | 'balance' = 'failover') {
  return kafkaSink<Rec>({
    clusters,
    mode,
    topic: 'out',
    guarantee: 'exactly-once',
    transactionTimeoutMs: 120_000,
    expectedRestartMs: 5_000,
    serialize: (r) => ({ key: `k${(r.s * 31 + r.o) % 41}`, value: `${r.s}:${r.o}` }),
  });
}

/** Make the committer throw at one checkpoint, like a process dying after the checkpoint completed and before it committed. */
function failCommitAt(sink: Sink<Rec, KafkaTransactionCommittable, null>, checkpointId: number, seen: KafkaTransactionCommittable[][]): void {
  const create = sink.createCommitter.bind(sink);
  sink.createCommitter = async (ctx) => {
    const c = await create(ctx);
    return {
      ...c,
      commit: async (id, cs) => {
        if (id === checkpointId) {
          seen.push(cs);
          throw new Error('simulated crash between checkpoint and commit');
        }
        return c.commit(id, cs);
      },
    };
  };
}

function expectExactlyOnce(values: string[], splits: number, perSplit: number): void {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  expect([...counts].filter(([, n]) => n !== 1).slice(0, 5)).toEqual([]);
  expect(counts.size).toBe(splits * perSplit);
  for (let s = 0; s < splits; s++) for (let o = 0; o < perSplit; o++) expect(counts.has(`${s}:${o}`), `${s}:${o}`).toBe(true);
}

describe('kafka sink, exactly-once', () => {
  it('one transaction per checkpoint: nothing is visible to read_committed before its checkpoint completes, everything once after', async () => {
    const cluster = await startCluster({ brokers: 3, topics: [{ name: 'out', partitions: 6 }] });
    try {
      const sink = eosSink([{ name: 'main', brokers: cluster.bootstrapServers }]);
      // at each prepareCommit, the records of that transaction must not be readable yet
      const visibleAtBarrier: Array<{ id: number; committed: number; written: number; transactions: number }> = [];
      const createWriter = sink.createWriter.bind(sink);
      sink.createWriter = async (ctx, st) => {
        const w = await createWriter(ctx, st);
        let written = 0;
        return {
          ...w,
          write: (r, t) => {
            written += r.length;
            return w.write(r, t);
          },
          prepareCommit: async (id) => {
            const cs = await w.prepareCommit(id);
            const committed = (await readTopic(cluster.bootstrapServers, 'out', { idleMs: 300, timeoutMs: 3_000 })).length;
            visibleAtBarrier.push({ id, committed, written, transactions: cs.length });
            return cs;
          },
          close: () => w.close(),
        };
      };
      const p = new Pipeline({ name: 'eos', checkpoints: { dir: await tempDir(), intervalMs: 300 }, logger: silentLogger });
      p.source('gen', generatorSource({ splits: 2, recordsPerSplit: 1_500, batchSize: 100, ratePerSecond: 1_500, generate: (s, o) => ({ s, o }) })).sink('kafka', sink);
      expect((await p.run()).outcome).toBe('finished');
      const read = await readTopic(cluster.bootstrapServers, 'out', { expected: 3_000 });
      expectExactlyOnce(read.map((r) => r.value), 2, 1_500);
      expect(visibleAtBarrier.length).toBeGreaterThan(1);
      // at barrier n a read_committed consumer sees exactly what was written before barrier n-1:
      // checkpoint n-1's transaction was committed, checkpoint n's is flushed but not yet committed
      let previous = 0;
      for (const b of visibleAtBarrier) {
        expect(b.committed, `checkpoint ${b.id}`).toBe(previous);
        if (b.written > previous) expect(b.transactions).toBe(1);
        previous = b.written;
      }
    } finally {
      await cluster.stop();
    }
  });

  it('balance over two clusters: one transaction per cluster and checkpoint, every record committed once on one of them', async () => {
    const [a, b] = (await startClusters(2, { brokers: 1, topics: [{ name: 'out', partitions: 3 }] })) as [Awaited<ReturnType<typeof startCluster>>, Awaited<ReturnType<typeof startCluster>>];
    try {
      const p = new Pipeline({ name: 'eos-balance', checkpoints: { dir: await tempDir(), intervalMs: 100 }, logger: silentLogger });
      p.source('gen', generatorSource({ splits: 2, recordsPerSplit: 2_000, batchSize: 100, ratePerSecond: 4_000, generate: (s, o) => ({ s, o }) })).sink(
        'kafka',
        eosSink(
          [
            { name: 'a', brokers: a.bootstrapServers },
            { name: 'b', brokers: b.bootstrapServers },
          ],
          'balance',
        ),
      );
      expect((await p.run()).outcome).toBe('finished');
      const readA = await readTopic(a.bootstrapServers, 'out', { expected: 1 });
      const readB = await readTopic(b.bootstrapServers, 'out', { expected: 1 });
      expect(readA.length).toBeGreaterThan(1_000);
      expect(readB.length).toBeGreaterThan(1_000);
      expectExactlyOnce([...readA, ...readB].map((r) => r.value), 2, 2_000);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('a cancelled job aborts its unprepared transaction: read_committed consumers are not held back', async () => {
    const cluster = await startCluster({ topics: [{ name: 'out', partitions: 1 }] });
    try {
      const p = new Pipeline({ name: 'eos-cancel', checkpoints: { dir: await tempDir(), intervalMs: 60_000 }, logger: silentLogger });
      p.source('gen', generatorSource({ splits: 1, batchSize: 50, ratePerSecond: 1_000, generate: (s, o) => ({ s, o }) })).sink('kafka', eosSink([{ name: 'main', brokers: cluster.bootstrapServers }]));
      const job = p.start();
      await new Promise((r) => setTimeout(r, 700));
      expect(cluster.highWatermarks('out')[0]).toBeGreaterThan(0); // an open transaction holds records
      await job.stop({ mode: 'cancel' });
      await job.done;
      const producer = new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await producer.send({ topic: 'out', messages: [{ value: 'after' }] });
      await producer.disconnect();
      const read = await readTopic(cluster.bootstrapServers, 'out', { expected: 1, timeoutMs: 5_000 });
      expect(read.map((r) => r.value)).toEqual(['after']);
    } finally {
      await cluster.stop();
    }
  });

  it('after a crash between checkpoint and commit, the restored job commits the open transactions on both clusters (replicate) and aborts leftovers', async () => {
    const [a, b] = (await startClusters(2, { brokers: 1, topics: [{ name: 'out', partitions: 3 }] })) as [Awaited<ReturnType<typeof startCluster>>, Awaited<ReturnType<typeof startCluster>>];
    try {
      const dir = await tempDir();
      const clusters = [
        { name: 'a', brokers: a.bootstrapServers },
        { name: 'b', brokers: b.bootstrapServers },
      ];
      const gen = () => generatorSource({ splits: 2, recordsPerSplit: 2_000, batchSize: 100, ratePerSecond: 2_000, generate: (s, o) => ({ s, o }) });
      const first = eosSink(clusters, 'replicate');
      const lost: KafkaTransactionCommittable[][] = [];
      failCommitAt(first, 2, lost);
      const p1 = new Pipeline({ name: 'eos-restore', checkpoints: { dir, intervalMs: 100 }, logger: silentLogger, restart: { kind: 'none' } });
      p1.source('gen', gen()).sink('kafka', first);
      const r1 = await p1.run().catch((err: unknown) => err);
      expect(String(r1)).toMatch(/simulated crash/);
      expect(lost.length).toBe(1);
      expect(new Set(lost[0]!.map((c) => c.cluster))).toEqual(new Set(['a', 'b']));
      // checkpoint 2's transactions were prepared, never committed by this attempt
      for (const c of [a, b]) {
        const all = await readTopic(c.bootstrapServers, 'out', { readUncommitted: true, idleMs: 500 });
        const committed = await readTopic(c.bootstrapServers, 'out', { idleMs: 500, timeoutMs: 3_000 });
        expect(all.length).toBeGreaterThan(committed.length);
      }

      const p2 = new Pipeline({ name: 'eos-restore', checkpoints: { dir, intervalMs: 100 }, logger: silentLogger, restart: { kind: 'none' } });
      p2.source('gen', gen()).sink('kafka', eosSink(clusters, 'replicate'));
      expect((await p2.run()).outcome).toBe('finished');
      for (const c of [a, b]) {
        const read = await readTopic(c.bootstrapServers, 'out', { expected: 4_000 });
        expectExactlyOnce(read.map((r) => r.value), 2, 2_000);
      }
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
