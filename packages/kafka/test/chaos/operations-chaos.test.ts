/**
 * Operations chaos: the operations a user performs on a service — SIGKILL, SIGTERM and restart,
 * stop with a savepoint and restart, a restart whose restoreFrom still names an older savepoint
 * (then a SIGKILL), a cluster down for a while, a stateless step added between runs, poison
 * records — in a seeded random order against a child process. The oracle is recomputed from
 * what was produced: every window result exactly once with its value (read_committed), every
 * bad record in the dead letters once with its source position, nothing lost.
 * WEIR_CHAOS_OPS=N raises the operation count (CI: 12 on the default transport, 3 on the other);
 * WEIR_CHAOS_SEED replays a sequence.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startCluster, type EmbeddedCluster } from '@weir/embedded-kafka';
import { describe, expect, it } from 'vitest';
import { adapterEnv, heavyRuns } from '../adapters.js';
import { tempDir } from '../sink/helpers.js';

const JOB = fileURLToPath(new URL('./chaos-job.ts', import.meta.url));
const FULL_OPS = Number(process.env.WEIR_CHAOS_OPS ?? 12);
const SEED = Number(process.env.WEIR_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const PER_OP = 240;
const CUSTOMERS = ['ann', 'bob', 'cy', 'dee', 'eve'];
const TUMBLE = 10_000;
const SLIDE = 10_000;
const SLIDE_SIZE = 30_000;

type Op = 'sigkill' | 'sigterm' | 'savepoint-stop' | 'restore-old-then-kill' | 'cluster-down' | 'add-step' | 'poison';
const KINDS: Op[] = ['sigkill', 'sigterm', 'savepoint-stop', 'restore-old-then-kill', 'cluster-down', 'add-step', 'poison'];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Child {
  proc: ChildProcess;
  stderr: () => string;
  ready: Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; last: { outcome: string; savepoint: string | null; savepointId: number | null } | undefined }>;
}

function startChild(env: NodeJS.ProcessEnv, config: object): Child {
  const proc = spawn(process.execPath, ['--conditions=weir-source', '--import', 'tsx', JOB, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const ready = new Promise<void>((resolve) =>
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('ready\n')) resolve();
    }),
  );
  const exit = new Promise<Awaited<Child['exit']>>((resolve) =>
    proc.on('exit', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      resolve({ code, signal, last: line === undefined ? undefined : JSON.parse(line) });
    }),
  );
  return { proc, stderr: () => err, ready, exit };
}

/** What the test produced, in order, with each record's position. */
interface Produced {
  cluster: 'a' | 'b';
  partition: number;
  offset: number;
  payload: string;
  order?: { customer: string; amount: number; ts: number };
  bad?: 'malformed' | 'negative' | 'poison';
}

class Feed {
  readonly produced: Produced[] = [];
  private next = 0;
  private readonly offsets = new Map<string, number>();
  constructor(private readonly producers: Record<'a' | 'b', Producer>) {}

  /** `n` records in batches of 20 every 40 ms, so operations hit a job in the middle of a stream. */
  async produceOver(n: number, poison: boolean, rand: () => number): Promise<void> {
    for (let k = 0; k < n; k += 20) {
      await this.produce(Math.min(20, n - k), poison && k === 0, rand);
      await new Promise((r) => setTimeout(r, 40));
    }
  }

  /** `n` records, round-robin over the clusters' 3 partitions, event time 50 ms apart (monotonic per partition). */
  async produce(n: number, poison: boolean, rand: () => number, clusters: Array<'a' | 'b'> = ['a', 'b']): Promise<void> {
    const batch: Produced[] = [];
    for (let k = 0; k < n; k++) {
      const i = this.next++;
      const cluster = clusters[i % clusters.length]!;
      const partition = Math.floor(i / 2) % 3;
      const key = `${cluster}/${partition}`;
      const offset = this.offsets.get(key) ?? 0;
      this.offsets.set(key, offset + 1);
      const ts = 1_700_000_000_000 + i * 50;
      const customer = CUSTOMERS[Math.floor(rand() * CUSTOMERS.length)]!;
      let rec: Produced;
      if (i % 97 === 13) rec = { cluster, partition, offset, payload: `{"kind":"order","id":${i},"customer":"${customer}`, bad: 'malformed' };
      else if (i % 89 === 5) rec = { cluster, partition, offset, payload: JSON.stringify({ kind: 'order', id: i, customer, amount: -1, ts }), bad: 'negative' };
      else if (poison && k === Math.floor(n / 2)) rec = { cluster, partition, offset, payload: JSON.stringify({ kind: 'order', id: i, customer: 'poison', amount: 1, ts }), bad: 'poison' };
      else {
        const amount = 1 + Math.floor(rand() * 100);
        rec = { cluster, partition, offset, payload: JSON.stringify({ kind: 'order', id: i, customer, amount, ts }), order: { customer, amount, ts } };
      }
      batch.push(rec);
    }
    await this.send(batch);
  }

  /** One far-future tick per partition: every window of the orders closes. */
  async ticks(): Promise<void> {
    const batch: Produced[] = [];
    for (const cluster of ['a', 'b'] as const) {
      for (let partition = 0; partition < 3; partition++) {
        const key = `${cluster}/${partition}`;
        const offset = this.offsets.get(key) ?? 0;
        this.offsets.set(key, offset + 1);
        batch.push({ cluster, partition, offset, payload: JSON.stringify({ kind: 'tick', id: -1, customer: '-', amount: 0, ts: 1_800_000_000_000 }) });
      }
    }
    await this.send(batch);
  }

  private async send(batch: Produced[]): Promise<void> {
    for (const cluster of ['a', 'b'] as const) {
      const messages = batch.filter((r) => r.cluster === cluster).map((r) => ({ partition: r.partition, value: r.payload }));
      if (messages.length > 0) await this.producers[cluster].send({ topic: 'orders', messages });
    }
    this.produced.push(...batch);
  }
}

/** Window results the job must emit exactly once, by `kind|customer|start`. */
function expectedResults(produced: Produced[]): Map<string, { count: number; sum: number }> {
  const m = new Map<string, { count: number; sum: number }>();
  const add = (k: string, amount: number) => {
    const v = m.get(k) ?? { count: 0, sum: 0 };
    m.set(k, { count: v.count + 1, sum: v.sum + amount });
  };
  for (const r of produced) {
    if (r.order === undefined) continue;
    const { customer, amount, ts } = r.order;
    add(`tumbling|${customer}|${ts - (ts % TUMBLE)}`, amount);
    for (let start = ts - (ts % SLIDE); start > ts - SLIDE_SIZE; start -= SLIDE) add(`sliding|${customer}|${start}`, amount);
  }
  return m;
}

/** Dead letters the job must write exactly once: `step@cluster/partition/offset`. */
function expectedDeadLetters(produced: Produced[]): string[] {
  const out: string[] = [];
  for (const r of produced) {
    const at = `${r.cluster}/${r.partition}/${r.offset}`;
    if (r.bad === 'malformed') out.push(`parse@${at}`);
    if (r.bad === 'negative') out.push(`tumbling-10s@${at}`, `sliding-30s-10s@${at}`);
    if (r.bad === 'poison') out.push(`validate@${at}`);
  }
  return out.sort();
}

interface DeadLetterLine {
  step: string;
  error: string;
  position?: { source: string; split: string; cluster: string; topic: string; partition: number; offset: string };
}

async function readDeadLetters(dir: string): Promise<DeadLetterLine[]> {
  const out: DeadLetterLine[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith('.')) continue;
    for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) if (line) out.push(JSON.parse(line) as DeadLetterLine);
  }
  return out;
}

/** A read_committed consumer collecting every result record (duplicates kept, to be counted). */
async function watchResults(brokers: string[]): Promise<{ records: Array<{ key: string; value: string }>; stop: () => Promise<void> }> {
  const consumer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: `chaos-watch-${SEED}`, maxWaitTimeInMs: 100 });
  const records: Array<{ key: string; value: string }> = [];
  await consumer.connect();
  await consumer.subscribe({ topic: 'results', fromBeginning: true });
  await consumer.run({ eachBatch: async ({ batch }) => void batch.messages.forEach((m) => records.push({ key: m.key!.toString(), value: m.value!.toString() })) });
  return { records, stop: () => consumer.disconnect() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function within<T>(p: Promise<T>, ms: number, what: string, child?: Child): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms\n${child?.stderr().slice(-4000) ?? ''}`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe.each(heavyRuns())('operations chaos ($adapter)', ({ adapter, small }) => {
  const OPS = small ? Math.min(3, FULL_OPS) : FULL_OPS;
  const env = adapterEnv(adapter);
  it(`survives ${OPS} seeded random operations with every window result and dead letter exactly once (seed ${SEED})`, async () => {
    console.log(`operations chaos: seed ${SEED} (replay with WEIR_CHAOS_SEED=${SEED}), ${OPS} operations`);
    const rand = mulberry32(SEED);
    const ops: Op[] = [...KINDS];
    while (ops.length < OPS) ops.push(KINDS[Math.floor(rand() * KINDS.length)]!);
    for (let i = ops.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [ops[i], ops[j]] = [ops[j]!, ops[i]!];
    }
    console.log(`operations: ${ops.join(', ')}`);

    const a = await startCluster({ topics: [{ name: 'orders', partitions: 3 }, { name: 'results', partitions: 4 }] });
    const b: EmbeddedCluster = await startCluster({ topics: [{ name: 'orders', partitions: 3 }] });
    const producers = {
      a: new Kafka({ brokers: a.bootstrapServers, logLevel: logLevel.NOTHING }).producer(),
      b: new Kafka({ brokers: b.bootstrapServers, logLevel: logLevel.NOTHING }).producer(),
    };
    await producers.a.connect();
    await producers.b.connect();
    const feed = new Feed(producers);
    const checkpointDir = await tempDir('weir-chaos-chk-');
    const deadDir = await tempDir('weir-chaos-dead-');
    const base = { brokersA: a.bootstrapServers, brokersB: b.bootstrapServers, checkpointDir, deadDir };
    const savepoints: Array<{ path: string; id: number }> = [];
    let extraStep = false;
    const watch = await watchResults(a.bootstrapServers);
    try {
      for (const [n, op] of ops.entries()) {
        if (op === 'add-step') extraStep = true;
        const old = op === 'restore-old-then-kill' ? savepoints[0] : undefined;
        const child = startChild(env, { ...base, extraStep, ...(old !== undefined ? { restoreFrom: old.path } : {}) });
        await within(child.ready, 60_000, `op ${n} (${op}): child ready`, child);
        const producing = feed.produceOver(PER_OP, op === 'poison', rand);
        await sleep(100 + Math.floor(rand() * 400));
        const stopWith = async (signal: NodeJS.Signals) => {
          child.proc.kill(signal);
          const end = await within(child.exit, 60_000, `op ${n} (${op}): stop by ${signal}`, child);
          expect(end.code, child.stderr().slice(-3000)).toBe(0);
          expect(end.last?.outcome).toBe('suspended');
          savepoints.push({ path: end.last!.savepoint!, id: end.last!.savepointId! });
        };
        switch (op) {
          case 'sigkill':
          case 'poison':
            if (op === 'poison') await sleep(1500); // three failing attempts, then the skip
            child.proc.kill('SIGKILL');
            await child.exit;
            break;
          case 'sigterm':
          case 'add-step':
            await stopWith('SIGTERM');
            break;
          case 'savepoint-stop':
            await stopWith('SIGUSR2');
            break;
          case 'restore-old-then-kill': {
            if (old !== undefined) {
              const restored = /"checkpoint":(\d+),"kind":"(\w+)".*restored/.exec(child.stderr());
              expect(restored, child.stderr().slice(-2000)).not.toBeNull();
              expect(Number(restored![1])).toBeGreaterThanOrEqual(old.id);
            }
            child.proc.kill('SIGKILL');
            await child.exit;
            break;
          }
          case 'cluster-down':
            // cluster b is away while a goes on: b's partitions hold event time back, nothing is late
            await producing;
            await b.stop();
            await feed.produce(60, false, rand, ['a']);
            await sleep(1500);
            await b.start();
            await sleep(500);
            await stopWith('SIGTERM');
            break;
        }
        await producing;
      }

      // the last run: everything produced, windows closed by far-future ticks; it must catch up
      await feed.ticks();
      const expected = expectedResults(feed.produced);
      const expectedDead = expectedDeadLetters(feed.produced);
      const last = startChild(env, { ...base, extraStep });
      await within(last.ready, 60_000, 'final child ready', last);
      const t0 = Date.now();
      while (Date.now() - t0 < 60_000) {
        const dead = await readDeadLetters(deadDir);
        if (new Set(watch.records.map((r) => r.key)).size >= expected.size && dead.length >= expectedDead.length) break;
        await sleep(200);
      }
      last.proc.kill('SIGTERM');
      const end = await within(last.exit, 60_000, 'final stop', last);
      expect(end.code, last.stderr().slice(-3000)).toBe(0);
      await sleep(500);

      // every window result exactly once, with the right value
      const seen = new Map<string, number>();
      for (const r of watch.records) seen.set(r.key, (seen.get(r.key) ?? 0) + 1);
      const duplicates = [...seen].filter(([, c]) => c > 1).map(([k]) => k);
      expect(duplicates, 'window results emitted more than once').toEqual([]);
      const got = new Map(watch.records.map((r) => [r.key, JSON.parse(r.value) as { count: number; sum: number }]));
      const missing = [...expected.keys()].filter((k) => !got.has(k));
      expect(missing, 'window results missing').toEqual([]);
      const wrong = [...expected].filter(([k, v]) => got.get(k)!.count !== v.count || got.get(k)!.sum !== v.sum).map(([k]) => k);
      expect(wrong, 'window results with wrong values').toEqual([]);
      expect(got.size).toBe(expected.size);

      // every bad record in the dead letters exactly once, with its source position
      const dead = await readDeadLetters(deadDir);
      const deadKeys = dead.map((d) => `${d.step}@${d.position?.cluster}/${d.position?.partition}/${d.position?.offset}`).sort();
      expect(deadKeys).toEqual(expectedDead);
      expect(dead.every((d) => d.position?.source === 'orders' && d.position.topic === 'orders')).toBe(true);
      console.log(`operations chaos: ${feed.produced.length} records, ${expected.size} window results, ${dead.length} dead letters, ${savepoints.length} savepoints`);
    } finally {
      await watch.stop().catch(() => undefined);
      await producers.a.disconnect();
      await producers.b.disconnect();
      await a.stop();
      await b.stop();
    }
  }, 600_000);
});
