import { MetricsRegistry, Pipeline, generatorSource, silentLogger } from '@weir/core';
import { startClusters, type EmbeddedCluster } from '@weir/embedded-kafka';
import { describe, expect, it } from 'vitest';
import { kafkaSink, type KafkaClusterStats } from '../../src/sink/index.js';
import { readTopic, tempDir, type Read } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KEYS = 23;

function ids(read: Read[]): number[] {
  return read.map((r) => Number(r.value));
}

/** Per key, the first occurrences of the ids come in the order they were written (re-sends after a failure may add later duplicates). */
function expectPerKeyOrder(read: Read[]): void {
  const byKey = new Map<string, number[]>();
  for (const r of [...read].sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
    const list = byKey.get(r.key!) ?? [];
    list.push(Number(r.value));
    byKey.set(r.key!, list);
  }
  for (const [key, list] of byKey) {
    const firsts: number[] = [];
    const seen = new Set<number>();
    for (const id of list) {
      if (seen.has(id)) continue;
      seen.add(id);
      firsts.push(id);
    }
    expect(firsts, `key ${key}`).toEqual([...firsts].sort((a, b) => a - b));
  }
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

const total = (c: EmbeddedCluster): number => c.highWatermarks('out').reduce((x, y) => x + y, 0);
const stat = (sink: { stats(): KafkaClusterStats[] }, name: string): KafkaClusterStats => sink.stats().find((s) => s.name === name)!;

/** Growth per second of `f` over `ms`. */
async function rate(f: () => number, ms: number): Promise<number> {
  const v0 = f();
  await sleep(ms);
  return ((f() - v0) * 1000) / ms;
}

/** The ids are exactly 0..max (each at least once); returns max. */
function expectContiguous(list: number[]): number {
  const set = new Set(list);
  const max = Math.max(...set);
  expect(set.size).toBe(max + 1);
  return max;
}

describe('kafka sink, several clusters, at-least-once', () => {
  it('replicate: a cluster that is down gets its records from the durable spill, in order, after it returns; the other never waits', async () => {
    const [a, b] = (await startClusters(2, { brokers: 1, topics: [{ name: 'out', partitions: 4 }] })) as [EmbeddedCluster, EmbeddedCluster];
    try {
      const metrics = new MetricsRegistry();
      const sink = kafkaSink<number>({
        clusters: [
          { name: 'a', brokers: a.bootstrapServers },
          { name: 'b', brokers: b.bootstrapServers },
        ],
        mode: 'replicate',
        topic: 'out',
        spill: { dir: await tempDir() },
        metricsRegistry: metrics.prom,
        breaker: { failureThreshold: 3, resetTimeoutMs: 300 },
        serialize: (i) => ({ key: `k${i % KEYS}`, value: String(i) }),
      });
      const p = new Pipeline({ name: 'replicate', checkpoints: { dir: await tempDir(), intervalMs: 200 }, logger: silentLogger, metrics });
      p.source('gen', generatorSource({ splits: 1, batchSize: 200, ratePerSecond: 4_000, generate: (_s, o) => o })).sink('kafka', sink);
      const job = p.start();
      await waitFor('records on both clusters', () => total(a) > 1_500 && total(b) > 1_500);
      await b.stop();
      const atStop = total(a);
      // a keeps receiving while b's records pile up in its spill
      await waitFor('b spilling', () => stat(sink, 'b').spillDepth > 1_500 && total(a) > atStop + 1_500);
      expect(stat(sink, 'b').state).not.toBe('closed');
      // the spill depth is a Prometheus gauge of the job
      const text = await job.prometheus();
      const depth = Number(/weir_kafka_sink_spill_depth\{[^}]*cluster="b"[^}]*\} (\d+)/.exec(text)?.[1]);
      expect(depth).toBeGreaterThan(1_500);
      expect(text).toMatch(/weir_kafka_sink_breaker_state\{[^}]*cluster="b"[^}]*\} (1|0\.5)/);
      await b.start();
      await waitFor('b spill drained', () => stat(sink, 'b').spillDepth === 0 && stat(sink, 'b').state === 'closed', 20_000);
      await job.stop({ mode: 'drain' });
      expect((await job.done).outcome).toBe('drained');
      const readA = await readTopic(a.bootstrapServers, 'out', { idleMs: 1_000 });
      const readB = await readTopic(b.bootstrapServers, 'out', { idleMs: 1_000 });
      const onA = expectContiguous(ids(readA));
      const onB = expectContiguous(ids(readB));
      expect(onB).toBe(onA); // every record on both clusters
      expectPerKeyOrder(readA);
      expectPerKeyOrder(readB);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('replicate: a cluster whose produce requests hang fills its bounded queue, then spills; the healthy one keeps its rate', async () => {
    const [a, b] = (await startClusters(2, { brokers: 1, topics: [{ name: 'out', partitions: 4 }] })) as [EmbeddedCluster, EmbeddedCluster];
    try {
      const sink = kafkaSink<number>({
        clusters: [
          { name: 'a', brokers: a.bootstrapServers },
          { name: 'b', brokers: b.bootstrapServers, requestTimeoutMs: 1_000 },
        ],
        mode: 'replicate',
        topic: 'out',
        spill: { dir: await tempDir(), afterMs: 200 },
        maxBufferedRecords: 1_000,
        deliveryTimeoutMs: 1_500,
        breaker: { failureThreshold: 3, resetTimeoutMs: 300 },
        serialize: (i) => ({ key: `k${i % KEYS}`, value: String(i) }),
      });
      const p = new Pipeline({ name: 'hang', checkpoints: { dir: await tempDir(), intervalMs: 200, timeoutMs: 20_000 }, logger: silentLogger });
      p.source('gen', generatorSource({ splits: 1, batchSize: 100, ratePerSecond: 4_000, generate: (_s, o) => o })).sink('kafka', sink);
      const job = p.start();
      await waitFor('records on a', () => total(a) > 1_000);
      const before = await rate(() => total(a), 1_500);
      b.hangRequests({ apiKey: 0 });
      const during = await rate(() => total(a), 1_500);
      // a keeps most of its rate while b hangs (one checkpoint waits spill.afterMs for b)
      expect(during).toBeGreaterThan(before * 0.6);
      const stuck = stat(sink, 'b');
      expect(stuck.pending).toBeLessThanOrEqual(1_100);
      expect(stuck.pending + stuck.spillDepth).toBeGreaterThan(1_000);
      b.clearFaults();
      await waitFor('b spill drained', () => stat(sink, 'b').spillDepth === 0 && stat(sink, 'b').state === 'closed', 20_000);
      await job.stop({ mode: 'drain' });
      await job.done;
      const readA = await readTopic(a.bootstrapServers, 'out', { idleMs: 1_000 });
      const readB = await readTopic(b.bootstrapServers, 'out', { idleMs: 1_000 });
      expect(expectContiguous(ids(readB))).toBe(expectContiguous(ids(readA)));
      expectPerKeyOrder(readA);
      expectPerKeyOrder(readB);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('replicate: records spilled for a dead cluster are durable; the next run of the job delivers them', async () => {
    const [a, b] = (await startClusters(2, { brokers: 1, topics: [{ name: 'out', partitions: 4 }] })) as [EmbeddedCluster, EmbeddedCluster];
    try {
      const spillDir = await tempDir();
      const make = () =>
        kafkaSink<number>({
          clusters: [
            { name: 'a', brokers: a.bootstrapServers },
            { name: 'b', brokers: b.bootstrapServers },
          ],
          mode: 'replicate',
          topic: 'out',
          spill: { dir: spillDir },
          breaker: { failureThreshold: 3, resetTimeoutMs: 300 },
          serialize: (i) => ({ key: `k${i % KEYS}`, value: String(i) }),
        });
      await b.stop();
      const first = make();
      const p1 = new Pipeline({ name: 'spill-1', checkpoints: { dir: await tempDir(), intervalMs: 200 }, logger: silentLogger });
      p1.source('gen', generatorSource({ splits: 1, recordsPerSplit: 3_000, batchSize: 200, generate: (_s, o) => o })).sink('kafka', first);
      expect((await p1.run()).outcome).toBe('finished');
      expect(first.stats().find((s) => s.name === 'b')!.spillDepth).toBe(3_000);
      await b.start();
      // a later run (another job using the same sink name and spill) drains the spill first
      const second = make();
      const p2 = new Pipeline({ name: 'spill-2', checkpoints: { dir: await tempDir(), intervalMs: 200 }, logger: silentLogger });
      p2.source('gen', generatorSource({ splits: 1, batchSize: 10, ratePerSecond: 20, generate: (_s, o) => 10_000 + o })).sink('kafka', second);
      const job = p2.start();
      const t0 = Date.now();
      while (Date.now() - t0 < 10_000 && (second.stats().find((s) => s.name === 'b')?.spillDepth ?? 1) > 0) await sleep(50);
      await job.stop({ mode: 'drain' });
      await job.done;
      expect(second.stats().find((s) => s.name === 'b')!.spillDepth).toBe(0);
      const read = await readTopic(b.bootstrapServers, 'out', { idleMs: 1_000 });
      const onB = new Set(ids(read));
      for (let i = 0; i < 3_000; i++) expect(onB.has(i), String(i)).toBe(true);
      expectPerKeyOrder(read);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('failover: traffic moves to the second cluster while the first is down and comes back when it recovers', async () => {
    const [a, b] = (await startClusters(2, { brokers: 1, topics: [{ name: 'out', partitions: 4 }] })) as [EmbeddedCluster, EmbeddedCluster];
    try {
      const sink = kafkaSink<number>({
        clusters: [
          { name: 'a', brokers: a.bootstrapServers },
          { name: 'b', brokers: b.bootstrapServers },
        ],
        mode: 'failover',
        topic: 'out',
        breaker: { failureThreshold: 3, resetTimeoutMs: 300 },
        serialize: (i) => ({ key: `k${i % KEYS}`, value: String(i) }),
      });
      const p = new Pipeline({ name: 'failover', checkpoints: { dir: await tempDir(), intervalMs: 200 }, logger: silentLogger });
      p.source('gen', generatorSource({ splits: 1, batchSize: 200, ratePerSecond: 4_000, generate: (_s, o) => o })).sink('kafka', sink);
      const job = p.start();
      await waitFor('records on a', () => total(a) > 1_000);
      expect(total(b)).toBe(0);
      await a.stop();
      await waitFor('traffic on b', () => total(b) > 1_000);
      await a.start();
      await waitFor('a healthy again', () => stat(sink, 'a').state === 'closed');
      const aBack = total(a);
      await waitFor('traffic back on a', () => total(a) > aBack + 1_000);
      // b no longer grows
      const bAfter = total(b);
      await sleep(500);
      expect(total(b)).toBe(bAfter);
      await job.stop({ mode: 'drain' });
      await job.done;
      const readA = await readTopic(a.bootstrapServers, 'out', { idleMs: 1_000 });
      const readB = await readTopic(b.bootstrapServers, 'out', { idleMs: 1_000 });
      const max = expectContiguous([...ids(readA), ...ids(readB)]);
      // a has the records from before the outage and the newest ones
      expect(Math.min(...ids(readA))).toBe(0);
      expect(Math.max(...ids(readA))).toBe(max);
      expect(Math.min(...ids(readB))).toBeGreaterThan(0);
      expectPerKeyOrder(readA);
      expectPerKeyOrder(readB);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('failover: a cluster lost right after connecting, before its first send, hands its records to the next one', async () => {
    const [a, b] = (await startClusters(2, { brokers: 1, topics: [{ name: 'out', partitions: 2 }] })) as [EmbeddedCluster, EmbeddedCluster];
    try {
      const N = 3_000;
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      const sink = kafkaSink<number>({
        clusters: [
          { name: 'a', brokers: a.bootstrapServers },
          { name: 'b', brokers: b.bootstrapServers },
        ],
        mode: 'failover',
        topic: 'out',
        breaker: { failureThreshold: 3, resetTimeoutMs: 60_000 },
        serialize: (i) => ({ key: `k${i % KEYS}`, value: String(i) }),
      });
      const p = new Pipeline({ name: 'failover-first', checkpoints: { dir: await tempDir(), intervalMs: 200 }, logger: silentLogger });
      p.source('gen', generatorSource({ splits: 1, recordsPerSplit: N, batchSize: 100, generate: (_s, o) => o }))
        .asyncMap('wait', async (i: number) => (await gate, i), { concurrency: 1 })
        .sink('kafka', sink);
      const job = p.start();
      await waitFor('a ready', () => stat(sink, 'a')?.state === 'closed');
      await a.stop();
      open();
      expect((await job.done).outcome).toBe('finished');
      const readB = await readTopic(b.bootstrapServers, 'out', { expected: N });
      expect(expectContiguous(ids(readB))).toBe(N - 1);
      expectPerKeyOrder(readB);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('balance: records spread by weight over healthy clusters, keys stay on one cluster', async () => {
    const [a, b] = (await startClusters(2, { brokers: 1, topics: [{ name: 'out', partitions: 2 }] })) as [EmbeddedCluster, EmbeddedCluster];
    try {
      const N = 6_000;
      const p = new Pipeline({ name: 'balance', checkpoints: { dir: await tempDir(), intervalMs: 200 }, logger: silentLogger });
      p.source('gen', generatorSource({ splits: 1, recordsPerSplit: N, batchSize: 200, generate: (_s, o) => o })).sink(
        'kafka',
        kafkaSink<number>({
          clusters: [
            { name: 'a', brokers: a.bootstrapServers, weight: 3 },
            { name: 'b', brokers: b.bootstrapServers, weight: 1 },
          ],
          mode: 'balance',
          topic: 'out',
          serialize: (i) => ({ key: `key-${i % 400}`, value: String(i) }),
        }),
      );
      expect((await p.run()).outcome).toBe('finished');
      const readA = await readTopic(a.bootstrapServers, 'out', { expected: 1 });
      const readB = await readTopic(b.bootstrapServers, 'out', { expected: 1 });
      expect(readA.length + readB.length).toBe(N);
      expect(readA.length / N).toBeGreaterThan(0.6);
      expect(readA.length / N).toBeLessThan(0.9);
      const keysA = new Set(readA.map((r) => r.key));
      for (const r of readB) expect(keysA.has(r.key)).toBe(false);
      // the cluster choice does not skew partitions: both partitions of b are used
      expect(new Set(readB.map((r) => r.partition)).size).toBe(2);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('balance: when a cluster dies its share moves to the healthy ones, nothing is lost', async () => {
    const [a, b] = (await startClusters(2, { brokers: 1, topics: [{ name: 'out', partitions: 2 }] })) as [EmbeddedCluster, EmbeddedCluster];
    try {
      const N = 10_000;
      const p = new Pipeline({ name: 'balance-fail', checkpoints: { dir: await tempDir(), intervalMs: 200 }, logger: silentLogger });
      p.source('gen', generatorSource({ splits: 1, recordsPerSplit: N, batchSize: 100, ratePerSecond: 4_000, generate: (_s, o) => o })).sink(
        'kafka',
        kafkaSink<number>({
          clusters: [
            { name: 'a', brokers: a.bootstrapServers },
            { name: 'b', brokers: b.bootstrapServers },
          ],
          mode: 'balance',
          topic: 'out',
          breaker: { failureThreshold: 3, resetTimeoutMs: 60_000 },
          serialize: (i) => ({ key: `key-${i % 400}`, value: String(i) }),
        }),
      );
      const job = p.start();
      await sleep(700);
      await b.stop();
      expect((await job.done).outcome).toBe('finished');
      await b.start();
      const readA = await readTopic(a.bootstrapServers, 'out', { expected: 1 });
      const readB = await readTopic(b.bootstrapServers, 'out', { expected: 1 });
      expect(new Set([...ids(readA), ...ids(readB)]).size).toBe(N);
      // a took over b's keys after the failure
      expect(Math.max(...ids(readB))).toBeLessThan(N / 2);
      expect(readA.length).toBeGreaterThan(N / 2);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
