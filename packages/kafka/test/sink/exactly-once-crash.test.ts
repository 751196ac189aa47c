import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { startCluster } from '@weir/embedded-kafka';
import { describe, expect, it } from 'vitest';
import { adapterEnv, heavyRuns } from '../adapters.js';
import { readTopic, tempDir } from './helpers.js';

const JOB = fileURLToPath(new URL('./eos-crash-job.ts', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run {
  child: ChildProcess;
  started: Promise<void>;
  /** With WEIR_CRASH_HOLD=1: the last value of the transaction the attempt holds open. */
  holding: Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function start(env: NodeJS.ProcessEnv, args: string[]): Run {
  const child = spawn(process.execPath, ['--conditions=weir-source', '--import', 'tsx', JOB, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  // resolves once the attempt completed a checkpoint (it is running, not starting)
  const started = new Promise<void>((resolve) => child.stdout!.on('data', () => stdout.includes('checkpointed\n') && resolve()));
  const holding = new Promise<string>((resolve) =>
    child.stdout!.on('data', () => {
      const m = /^holding \d+ (.+)$/m.exec(stdout);
      if (m) resolve(m[1]!);
    }),
  );
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { child, started, holding, exit };
}

/** A consumer (read_committed, or read_uncommitted: aborted and open transactions' records too) that collects distinct values of `out` until stopped. */
async function watch(brokers: string[], readUncommitted = false): Promise<{ values: Set<string>; stop: () => Promise<void> }> {
  const consumer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: readUncommitted ? 'crash-watch-uncommitted' : 'crash-watch', readUncommitted, maxWaitTimeInMs: 100 });
  const values = new Set<string>();
  await consumer.connect();
  await consumer.subscribe({ topic: 'out', fromBeginning: true });
  await consumer.run({ eachBatch: async ({ batch }) => void batch.messages.forEach((m) => values.add(m.value!.toString())) });
  return { values, stop: () => consumer.disconnect() };
}

describe.each(heavyRuns())('exactly-once kafka sink under SIGKILL ($adapter)', ({ adapter, small }) => {
  const KILLS = small ? 3 : Number(process.env.WEIR_CRASH_KILLS ?? 5);
  // input keeps arriving through every kill (about 1,600 records per killed run)
  const N = small ? 4_800 : Math.max(8_000, KILLS * 1_600);
  const env = adapterEnv(adapter);
  it(`Kafka -> map -> Kafka killed ${KILLS} times: a read_committed consumer sees every record exactly once`, async () => {
    const cluster = await startCluster({ brokers: 3, topics: [{ name: 'in', partitions: 4 }, { name: 'out', partitions: 6 }] });
    const chk = await tempDir();
    const args = [cluster.bootstrapServers.join(','), chk];
    try {
      // input arrives while the job is being killed and restarted
      const producer = new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      const committedWatch = await watch(cluster.bootstrapServers);
      const uncommittedWatch = await watch(cluster.bootstrapServers, true);
      const producing = (async () => {
        for (let i = 0; i < N; i += 100) {
          // the second half only once the first attempt committed records: however slow its start,
          // input arrives after that commit, for the transaction it holds open (below)
          while (i === Math.floor(N / 200) * 100 && committedWatch.values.size === 0) await sleep(50);
          await producer.send({ topic: 'in', messages: Array.from({ length: 100 }, (_, j) => ({ key: `k${(i + j) % 53}`, value: `r${i + j}` })) });
          await new Promise((r) => setTimeout(r, 200)); // input keeps arriving through all the kills
        }
      })();

      const progress: number[] = [];
      // last values of transactions that were open, with records at the broker, when their attempt was killed
      const heldOpen: string[] = [];
      let kills = 0;
      while (kills < KILLS) {
        // the first attempt is killed while it holds a transaction open
        // with records in it (hold-open-transaction.ts); the others at a random moment
        const holdOpen = kills === 0;
        const run = start(holdOpen ? { ...env, WEIR_CRASH_HOLD: '1' } : env, args);
        let timer: ReturnType<typeof setTimeout> | undefined;
        if (holdOpen) {
          const held = await Promise.race([run.holding, run.exit.then((e) => new Error(`child ended before holding a transaction open (${e.code}): ${e.stderr}`)), sleep(60_000).then(() => new Error('no transaction held open within 60 s'))]);
          if (held instanceof Error) throw held;
          // seen beyond the last committed offset: a read_uncommitted consumer has the transaction's last record
          const deadline = Date.now() + 20_000;
          while (!uncommittedWatch.values.has(held) && Date.now() < deadline) await sleep(20);
          expect(uncommittedWatch.values.has(held), `${held} of the open transaction seen by read_uncommitted`).toBe(true);
          expect(committedWatch.values.has(held)).toBe(false);
          heldOpen.push(held);
          run.child.kill('SIGKILL');
        } else {
          // killed a random moment after its first checkpoint, so every attempt makes progress however loaded the machine is
          // ... and once it committed output of its own, so it is mid-stream when killed
          const before = committedWatch.values.size;
          void run.started
            .then(async () => {
              const deadline = Date.now() + 20_000;
              while (committedWatch.values.size <= before && Date.now() < deadline) await sleep(20);
            })
            .then(() => (timer = setTimeout(() => run.child.kill('SIGKILL'), 100 + Math.floor(Math.random() * 1_200))));
        }
        const r = await run.exit;
        clearTimeout(timer);
        if (r.signal !== 'SIGKILL') throw new Error(`child ended before the kill (${r.code}): ${r.stderr}`);
        kills++;
        progress.push(committedWatch.values.size);
      }
      await uncommittedWatch.stop();
      await producing;
      await producer.disconnect();

      // the killed attempts committed transactions along the way
      expect(progress.at(-1)).toBeGreaterThan(0);
      // a last attempt catches up (every input visible to read_committed), then drains on SIGTERM
      const last = start(env, args);
      const early = await Promise.race([last.started.then(() => undefined), last.exit]);
      if (early !== undefined) throw new Error(`last attempt ended before starting (${early.code}): ${early.stderr}`);
      const t0 = Date.now();
      let ended: Awaited<Run['exit']> | undefined;
      void last.exit.then((e) => (ended = e));
      // distinct input values committed (attempts tag their output with their pid)
      const committedInputs = () => new Set([...committedWatch.values].map((v) => v.split('|')[0])).size;
      while (Date.now() - t0 < 40_000 && committedInputs() < N && ended === undefined) await sleep(100);
      await committedWatch.stop();
      if (ended !== undefined) throw new Error(`last attempt ended early (${ended.code}): ${ended.stderr}`);
      expect(committedInputs(), `caught up within 40 s; stderr: ${await Promise.race([last.exit.then((e) => e.stderr), new Promise((r) => setTimeout(() => r('(running)'), 10))])}`).toBe(N);
      last.child.kill('SIGTERM');
      const killer = setTimeout(() => last.child.kill('SIGKILL'), 30_000);
      const end = await last.exit;
      clearTimeout(killer);
      expect(end.signal, `drain did not finish within 30 s: ${end.stderr}`).toBe(null);
      expect(end.code, end.stderr).toBe(0);

      const committed = await readTopic(cluster.bootstrapServers, 'out', { expected: N, timeoutMs: 20_000 });
      const values = committed.map((r) => r.value);
      const counts = new Map<string, number>();
      for (const v of values) counts.set(v.split('|')[0]!, (counts.get(v.split('|')[0]!) ?? 0) + 1);
      const dupes = [...counts].filter(([, n]) => n > 1);
      expect(dupes.slice(0, 5)).toEqual([]);
      expect(counts.size).toBe(N);
      expect(committed.length).toBe(N);
      for (let i = 0; i < N; i++) expect(counts.get(`r${i}`), `r${i}`).toBe(1);
      // whatever the killed attempts wrote after their last commit was aborted, never committed:
      // read_uncommitted sees those records too, at least the transaction held open at a kill
      const uncommitted = await readTopic(cluster.bootstrapServers, 'out', { readUncommitted: true, idleMs: 1_000 });
      const uncommittedValues = new Set(uncommitted.map((r) => r.value));
      for (const v of heldOpen) {
        expect(uncommittedValues.has(v), `${v} (held open at a kill) seen by read_uncommitted`).toBe(true);
        expect(values.includes(v), `${v} (held open at a kill) never committed`).toBe(false);
      }
      expect(heldOpen.length).toBeGreaterThanOrEqual(1);
      expect(uncommitted.length - N, 'aborted records').toBeGreaterThan(0);
      console.log(`exactly-once crash (${small ? 'small' : 'full'}): ${uncommitted.length - N} aborted records seen by read_uncommitted after ${KILLS} kills (${heldOpen.length} inside a transaction held open)`);
    } finally {
      await cluster.stop();
    }
  }, 120_000);
});
