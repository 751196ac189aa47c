import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { startCluster } from '@weir/embedded-kafka';
import { describe, expect, it } from 'vitest';
import { adapterEnv, heavyRuns } from '../adapters.js';
import { readTopic, tempDir } from './helpers.js';

const JOB = fileURLToPath(new URL('./eos-crash-job.ts', import.meta.url));

interface Run {
  child: ChildProcess;
  started: Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function start(env: NodeJS.ProcessEnv, args: string[]): Run {
  const child = spawn(process.execPath, ['--conditions=weir-source', '--import', 'tsx', JOB, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  // resolves once the attempt completed a checkpoint (it is running, not starting)
  const started = new Promise<void>((resolve) => child.stdout!.on('data', (d) => String(d).includes('checkpointed') && resolve()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { child, started, exit };
}

/** A read_committed consumer that collects distinct values of `out` until stopped. */
async function watchCommitted(brokers: string[]): Promise<{ values: Set<string>; stop: () => Promise<void> }> {
  const consumer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: 'crash-watch', maxWaitTimeInMs: 100 });
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
      const producing = (async () => {
        for (let i = 0; i < N; i += 100) {
          await producer.send({ topic: 'in', messages: Array.from({ length: 100 }, (_, j) => ({ key: `k${(i + j) % 53}`, value: `r${i + j}` })) });
          await new Promise((r) => setTimeout(r, 200)); // input keeps arriving through all the kills
        }
      })();

      const watch = await watchCommitted(cluster.bootstrapServers);
      const progress: number[] = [];
      let kills = 0;
      while (kills < KILLS) {
        const run = start(env, args);
        // killed a random moment after its first checkpoint, so every attempt makes progress however loaded the machine is
        let timer: ReturnType<typeof setTimeout> | undefined;
        // ... and once it committed output of its own, so it is mid-stream with a transaction open when killed
        const before = watch.values.size;
        void run.started
          .then(async () => {
            const deadline = Date.now() + 20_000;
            while (watch.values.size <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
          })
          .then(() => (timer = setTimeout(() => run.child.kill('SIGKILL'), 100 + Math.floor(Math.random() * 1_200))));
        const r = await run.exit;
        clearTimeout(timer);
        if (r.signal !== 'SIGKILL') throw new Error(`child ended before the kill (${r.code}): ${r.stderr}`);
        kills++;
        progress.push(watch.values.size);
      }
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
      while (Date.now() - t0 < 40_000 && watch.values.size < N && ended === undefined) await new Promise((r) => setTimeout(r, 100));
      await watch.stop();
      if (ended !== undefined) throw new Error(`last attempt ended early (${ended.code}): ${ended.stderr}`);
      expect(watch.values.size, `caught up within 40 s; stderr: ${await Promise.race([last.exit.then((e) => e.stderr), new Promise((r) => setTimeout(() => r('(running)'), 10))])}`).toBe(N);
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
      // whatever the killed attempts wrote after their last commit was aborted, never committed;
      // whether a kill lands while the open transaction already holds records is timing (the
      // default transport sends most records at the barrier: a full run was seen with none), so
      // aborted records are reported, not required — exactly-once is the checks above
      const uncommitted = await readTopic(cluster.bootstrapServers, 'out', { readUncommitted: true, idleMs: 1_000 });
      expect(uncommitted.length).toBeGreaterThanOrEqual(N);
      console.log(`exactly-once crash (${small ? 'small' : 'full'}): ${uncommitted.length - N} aborted records seen by read_uncommitted after ${KILLS} kills`);
    } finally {
      await cluster.stop();
    }
  }, 120_000);
});
