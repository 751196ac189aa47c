/**
 * @weir/kafka source benchmarks.
 * (1) `kafka.source.healthy-share-during-outage`: records/s of two healthy clusters while a third is
 *     down (stopped after the job read from it, so its splits are assigned and their fetcher keeps
 *     reconnecting), over their records/s without it; median of the ratios of paired runs
 *     (target >= 0.9: a dead cluster must not slow the others). Wall-clock runs on a busy 2-core
 *     machine vary by ±40 % between identical runs, so `kafka.source.healthy-cpu-share-during-outage`
 *     also compares records per pipeline CPU second (beside over alone), which does not.
 * (2) `kafka.source.trickle-latency-ms`: p99 latency of a trickle topic (one record every 20 ms for
 *     5 s) while a hot topic in the same source streams a backlog plus live production (target <= 1000).
 * The healthy clusters run in a child process (`weir-kafka`), the pipeline in this one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, Partitioners, logLevel, type Producer } from 'kafkajs';
import { Pipeline, heapStateBackend, memorySink, silentLogger } from '@weir/core';
import { startCluster, type EmbeddedCluster } from '@weir/embedded-kafka';
import { kafkaSource, type KafkaClusterSpec, type KafkaRecord } from '@weir/kafka';

import type { BenchResult } from './support/result.js';
import { size } from './support/sizes.js';
import { alternate, comparison } from './support/stats.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'embedded-kafka', 'bin', 'weir-kafka.js');
const RECORDS_PER_CLUSTER = size(undefined, 300_000, 30_000);
const HOT_BACKLOG = size(undefined, 300_000, 30_000);
/** How long trickle records are sent while the hot topic streams (a producer keeps adding to it). */
const TRICKLE_MS = size(undefined, 5000, 2000);
const VALUE = Buffer.alloc(100, 'v');
/** More rounds than other suites: wall-clock pairs on a busy 2-core machine vary by ±40 %. */
const ROUNDS = size('WEIR_BENCH_SOURCE_ROUNDS', 9, 2);
/** Records the third cluster holds: read before it is stopped, so its splits are assigned when it dies. */
const DEAD_RECORDS = 400;

async function startClusters(n: number): Promise<{ child: ChildProcess; clusters: string[][] }> {
  const child = spawn(process.execPath, [BIN, '--clusters', String(n), '--brokers', '1', '--port', '0', '--topic', 'bench:4', '--topic', 'hot:2', '--topic', 'trickle:1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = await new Promise<string[]>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const ls = out.split('\n').filter((l) => l.trim() !== '');
      if (ls.length >= n && out.endsWith('\n')) resolve(ls);
    });
    child.once('exit', (code) => reject(new Error(`weir-kafka exited ${code}`)));
  });
  return { child, clusters: lines.map((l) => (JSON.parse(l) as { bootstrapServers: string[] }).bootstrapServers) };
}

async function producerFor(brokers: string[]): Promise<Producer> {
  const p = new Kafka({ brokers, logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await p.connect();
  return p;
}

async function fill(brokers: string[], topic: string, partitions: number, count: number): Promise<void> {
  const producer = await producerFor(brokers);
  let sent = 0;
  const worker = async () => {
    while (sent < count) {
      const start = sent;
      sent += 1000;
      await producer.send({ topic, acks: 1, messages: Array.from({ length: Math.min(1000, count - start) }, (_, i) => ({ partition: (start + i) % partitions, value: VALUE })) });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  await producer.disconnect();
}

/**
 * Records/s of the healthy clusters until `expected` of their records passed. With `dead`, the job
 * first reads that cluster's records (so its splits are assigned and fetching), then the cluster is
 * stopped, and only then do the healthy clusters join (through the callback provider) and get timed.
 */
interface Run {
  /** Records/s of the healthy clusters. */
  rate: number;
  /** Healthy records per second of pipeline CPU: a load-independent view of the same comparison. */
  perCpuSecond: number;
}

async function throughput(healthy: KafkaClusterSpec[], expected: number, dead?: EmbeddedCluster): Promise<Run> {
  let seen = 0;
  let deadSeen = 0;
  let t0 = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  let list: KafkaClusterSpec[] = dead ? [{ name: 'dead', brokers: dead.bootstrapServers, topics: ['bench'] }] : [];
  const dir = await mkdtemp(join(tmpdir(), 'weir-bench-kafka-'));
  const p = new Pipeline({ name: 'bench', checkpoints: { dir, intervalMs: 1000 }, stateBackend: heapStateBackend(), logger: silentLogger });
  p.source('kafka', kafkaSource({ clusters: { provider: () => list, intervalMs: 50 }, reconnectBackoff: { initialMs: 100, maxMs: 1000 } }))
    .filter('count', (r: KafkaRecord) => {
      if (r.cluster === 'dead') deadSeen++;
      else {
        if (t0 === 0) t0 = performance.now();
        if (++seen >= expected) done();
      }
      return false;
    })
    .sink('out', memorySink<KafkaRecord>());
  let cpu0 = process.cpuUsage();
  const job = p.start();
  if (dead !== undefined) {
    while (deadSeen < DEAD_RECORDS) await new Promise((r) => setTimeout(r, 10));
    await dead.stop();
  }
  cpu0 = process.cpuUsage();
  list = [...list, ...healthy];
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await job.stop({ mode: 'cancel' });
  await rm(dir, { recursive: true, force: true });
  if (dead !== undefined) await dead.start();
  return { rate: seen / seconds, perCpuSecond: seen / ((cpu.user + cpu.system) / 1e6) };
}

async function healthyShare(clusters: string[][]): Promise<BenchResult[]> {
  await Promise.all([fill(clusters[0]!, 'bench', 4, RECORDS_PER_CLUSTER), fill(clusters[1]!, 'bench', 4, RECORDS_PER_CLUSTER)]);
  const healthy: KafkaClusterSpec[] = [
    { name: 'a', brokers: clusters[0]!, topics: ['bench'] },
    { name: 'b', brokers: clusters[1]!, topics: ['bench'] },
  ];
  // the third cluster runs in this process so it can be stopped and started between runs
  const dead = await startCluster({ topics: [{ name: 'bench', partitions: 4 }] });
  try {
    await fill(dead.bootstrapServers, 'bench', 4, DEAD_RECORDS);
    const expected = 2 * RECORDS_PER_CLUSTER;
    // a warm-up round (JIT) first, then pairs in rotating order: the machine's load drifts between pairs
    const r = await alternate({ beside: () => throughput(healthy, expected, dead), alone: () => throughput(healthy, expected) }, { rounds: ROUNDS });
    const show = (runs: Run[], f: (x: Run) => number) => runs.map((x) => Math.round(f(x))).join(', ');
    process.stderr.write(`kafka-source: alone ${show(r.alone, (x) => x.rate)} rec/s; beside a dead cluster ${show(r.beside, (x) => x.rate)} rec/s\n`);
    process.stderr.write(`kafka-source: records per CPU second: alone ${show(r.alone, (x) => x.perCpuSecond)}, beside a dead cluster ${show(r.beside, (x) => x.perCpuSecond)}\n`);
    const target = { op: '>=', value: 0.9 } as const;
    const baselineLabel = 'no dead cluster';
    return [
      comparison('kafka.source.healthy-share-during-outage', 'records/s', r.beside.map((x) => x.rate), r.alone.map((x) => x.rate), { target, baselineLabel }),
      // the same comparison in pipeline CPU per record: independent of what else the machine runs
      comparison('kafka.source.healthy-cpu-share-during-outage', 'records/CPU-s', r.beside.map((x) => x.perCpuSecond), r.alone.map((x) => x.perCpuSecond), { target, baselineLabel }),
    ];
  } finally {
    await dead.stop();
  }
}

async function trickleLatencyP99(brokers: string[]): Promise<number> {
  await fill(brokers, 'hot', 2, HOT_BACKLOG);
  const latencies: number[] = [];
  let hot = 0;
  const dir = await mkdtemp(join(tmpdir(), 'weir-bench-kafka-'));
  const p = new Pipeline({ name: 'bench-trickle', checkpoints: { dir, intervalMs: 1000 }, stateBackend: heapStateBackend(), logger: silentLogger });
  p.source('kafka', kafkaSource({ clusters: [{ name: 'main', brokers, topics: ['hot', 'trickle'] }] }))
    .filter('observe', (r: KafkaRecord) => {
      if (r.topic === 'trickle') latencies.push(Date.now() - Number(r.value!.toString()));
      else hot++;
      return false;
    })
    .sink('out', memorySink<KafkaRecord>());
  const job = p.start();
  const producer = await producerFor(brokers);
  while (hot === 0) await new Promise((r) => setTimeout(r, 5));
  const t0 = performance.now();
  let sent = 0;
  let streaming = true;
  const hotProducer = await producerFor(brokers);
  const batch = Array.from({ length: 1000 }, (_, i) => ({ partition: i % 2, value: VALUE }));
  const hotLoop = (async () => {
    while (streaming) await hotProducer.send({ topic: 'hot', acks: 1, messages: batch });
  })();
  // one trickle record every 20 ms while the hot topic streams (backlog plus live production)
  while (performance.now() - t0 < TRICKLE_MS) {
    await producer.send({ topic: 'trickle', messages: [{ value: String(Date.now()) }] });
    sent++;
    await new Promise((r) => setTimeout(r, 20));
  }
  streaming = false;
  await hotLoop;
  await hotProducer.disconnect();
  const hotRate = hot / ((performance.now() - t0) / 1000);
  const deadline = Date.now() + 5000;
  while (latencies.length < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await producer.disconnect();
  await job.stop({ mode: 'cancel' });
  await rm(dir, { recursive: true, force: true });
  if (latencies.length < sent) throw new Error(`only ${latencies.length} of ${sent} trickle records arrived`);
  const sorted = [...latencies].sort((x, y) => x - y);
  process.stderr.write(`kafka-source: ${sent} trickle records, hot topic at ${Math.round(hotRate)} rec/s meanwhile, latency p50 ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted[sorted.length - 1]} ms\n`);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
}

export async function run(): Promise<BenchResult[]> {
  const { child, clusters } = await startClusters(2);
  try {
    const share = await healthyShare(clusters);
    const p99 = await trickleLatencyP99(clusters[0]!);
    return [...share, { id: 'kafka.source.trickle-latency-ms', value: p99, unit: 'ms', target: { op: '<=', value: 1000 } }];
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

// `node --conditions=weir-source --import tsx bench/kafka-source.ts` runs it alone
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await run(), null, 2));
}
