/**
 * `npm run demo`: the ODS ingest pipeline (`examples/ods-ingest`) as a service, through the
 * faults a production job meets, on two embedded Kafka clusters of three brokers each.
 *
 *   generator -> Kafka eu + us (protobuf envelopes of three streams, a few simulated hours, bad input)
 *     -> the job, a child process: source (both clusters) -> parse -> ETL -> Parquet by event hour
 *        -> merge -> ready (_SUCCESS + a notification on a Kafka topic)
 *
 * Midway the job is SIGKILLed and restarted (it restores its last checkpoint), cluster `us` is
 * stopped for a while and brought back (the job keeps running; us's events follow), and a new
 * version is deployed (SIGTERM -> suspend to a savepoint -> the new version restores it). Then
 * the job drains, and DuckDB reads the output back: every event exactly once, in = out + dead
 * letters, every hour announced. The output stays in .weir-demo/ (or --out DIR).
 *
 *   npm run demo [-- --out DIR --size small]      (WEIR_DEMO_SIZE=small works too)
 */

import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { JobStatusSnapshot } from '@weir/core';
import { startClusters } from '@weir/embedded-kafka';
import { SchemaRegistry } from '@weir/formats';
import { Kafka, logLevel } from 'kafkajs';
import { committedJsonLines } from './support/committed-lines.js';
import { HOUR } from './ingest/generator.js';
import { readTopic } from './ingest/read-topic.js';
import { reconcile } from './ingest/reconcile.js';
import { OUTPUT_STREAMS, PRODUCED, READY_TOPIC, T0, freshOutputDir, plan, prepareDirs, topicOf } from './ingest/setup.js';
import { printSummary } from './ingest/summary.js';
import { JobProcess, type Exit } from './demo/job-process.js';
import { PacedGenerator } from './demo/paced-generator.js';
import { Progress, type ProgressView } from './demo/progress.js';

const SIZES = {
  // about 53k events over 6 simulated hours, 60 s of generation
  full: { hours: 6, perHour: { clicks: 6000, orders: 2400, heartbeats: 360 }, wallPerHourMs: 10_000, outageMs: 8_000, checkpointMs: [2_000, 1_000] },
  // for CI: about 6.7k events over 3 simulated hours, 24 s of generation
  small: { hours: 3, perHour: { clicks: 1500, orders: 600, heartbeats: 120 }, wallPerHourMs: 8_000, outageMs: 3_000, checkpointMs: [1_000, 700] },
} as const;
const { values: flags } = parseArgs({ strict: true, options: { out: { type: 'string' }, size: { type: 'string', default: process.env.WEIR_DEMO_SIZE ?? 'full' } } });
if (!(flags.size! in SIZES)) throw new Error(`demo: --size is one of ${Object.keys(SIZES).join(', ')}, got '${flags.size}'`);
const size = SIZES[flags.size as keyof typeof SIZES];
const total = size.hours * HOUR;
const CLUSTERS = ['eu', 'us'];
const GROUP = 'ods-ingest'; // the job commits each completed checkpoint's offsets here (for lag monitors)

const started = performance.now();
const out = resolve(flags.out ?? fileURLToPath(new URL('../.weir-demo', import.meta.url)));
await freshOutputDir(out);
const dirs = await prepareDirs(out);
await mkdir(join(out, 'logs'));

const clusters = await startClusters(2, { brokers: 3, topics: [...PRODUCED.map((s) => ({ name: topicOf(s), partitions: 2 })), { name: READY_TOPIC, partitions: 1 }] });
const kafkas = clusters.map((c) => new Kafka({ brokers: c.bootstrapServers, logLevel: logLevel.NOTHING }));
const producers = kafkas.map((k) => k.producer());
await Promise.all(producers.map((p) => p.connect()));
const registry = await SchemaRegistry.open({ dir: dirs.schemas });
const generator = new PacedGenerator(plan(size.perHour, 2), registry.current(), producers, size.hours, size.wallPerHourMs);
registry.close();
const progress = new Progress(process.stdout.isTTY === true, T0);
const problems: string[] = [];
const details: string[] = [];
const simTime = () => new Date(T0 + generator.simulated).toISOString().slice(11, 16);

// ---- the job process, restarted like a pod ------------------------------------------------
let version = 1;
let starts = 0;
let job!: JobProcess;
let expectingExit = false;
let lastStatus: JobStatusSnapshot | undefined;
function startJob(): JobProcess {
  const args = [
    ...clusters.flatMap((c, i) => ['--cluster', `${CLUSTERS[i]}=${c.bootstrapServers.join(',')}`]),
    ...['--ready', `eu/${READY_TOPIC}`, '--schemas', dirs.schemas, '--etl-rules', dirs.etlRules, '--streams', OUTPUT_STREAMS.join(',')],
    ...['--out', out, '--checkpoint-interval-ms', String(size.checkpointMs[version - 1])],
  ];
  const j = new JobProcess(args, version, join(out, 'logs', `job-${++starts}.log`));
  lastStatus = undefined;
  void j.exited.then((e) => {
    if (expectingExit || j !== job) return;
    problems.push(`the job exited unexpectedly (${describe(e)}); see ${out}/logs/job-${starts}.log`);
    progress.event(`job exited unexpectedly (${describe(e)}): restarting it`);
    job = startJob();
  });
  return j;
}
const describe = (e: Exit) => e.last?.error ?? e.last?.outcome ?? (e.signal !== null ? `signal ${e.signal}` : `exit code ${e.code}`);

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
/** The current process runs and completed a checkpoint of its own. */
async function running(): Promise<JobStatusSnapshot> {
  await until(`job v${version} (pid ${job.pid}) to run`, () => lastStatus?.state === 'running');
  const s = lastStatus!;
  await until(`job v${version} (pid ${job.pid}) to complete a checkpoint`, () => (lastStatus?.checkpoints.completed ?? 0) > 0);
  return s;
}
const restored = (s: JobStatusSnapshot) => (s.restoredFrom ? `${s.restoredFrom.kind} ${s.restoredFrom.id}` : 'nothing');

// ---- live progress: the job's /status, the clusters' high watermarks ------------------------
const downSince: Array<number | undefined> = [undefined, undefined];
interface Sample {
  at: number;
  /** Per stream: records the job consumed (high watermark - backlog: restarts do not reset it), backlog, watermark. */
  streams: Map<string, { consumed: number; backlog: number; watermark: number | null; splits: number }>;
  backlogPerCluster: Map<string, number>;
}
const samples: Sample[] = [];
function sampleOf(status: JobStatusSnapshot): Sample {
  const streams = new Map<string, { consumed: number; backlog: number; watermark: number | null; splits: number }>();
  const backlogPerCluster = new Map<string, number>();
  for (const s of status.splits.filter((x) => x.step === 'events')) {
    const [cluster, topic, partition] = s.split.split('/') as [string, string, string];
    const hw = clusters[CLUSTERS.indexOf(cluster)]?.highWatermarks(topic)[Number(partition)] ?? 0;
    const e = streams.get(topic) ?? { consumed: 0, backlog: 0, watermark: null, splits: 0 };
    e.splits++;
    e.consumed += Math.max(0, hw - s.pendingRecords);
    e.backlog += s.pendingRecords;
    if (s.watermark !== null) e.watermark = e.watermark === null ? s.watermark : Math.min(e.watermark, s.watermark);
    streams.set(topic, e);
    backlogPerCluster.set(cluster, (backlogPerCluster.get(cluster) ?? 0) + s.pendingRecords);
  }
  return { at: performance.now(), streams, backlogPerCluster };
}
// the status is polled on its own, one request at a time: a busy or restarting job never stalls the display
let polling = true;
const poll = async () => {
  while (polling) {
    const current = job;
    const status = await current.status();
    if (status !== undefined && current === job) {
      lastStatus = status;
      samples.push(sampleOf(status));
      while (samples.length > 2 && samples.at(-1)!.at - samples[1]!.at >= 3_000) samples.shift();
    } else if (current !== job || current.admin === undefined) samples.length = 0;
    await new Promise((r) => setTimeout(r, 500));
  }
};
async function render(): Promise<void> {
  const now = performance.now();
  const latest = samples.at(-1);
  const fresh = latest !== undefined && now - latest.at < 6_000 ? latest : undefined;
  const rateOf = (topic: string) => {
    if (fresh === undefined || samples.length < 2) return 0;
    const [a, b] = [samples[0]!.streams.get(topic), fresh.streams.get(topic)];
    // a split the job has not reported yet would count as a jump: compare samples over the same splits only
    if (a === undefined || b === undefined || a.splits !== b.splits) return 0;
    return Math.max(0, (b.consumed - a.consumed) / Math.max(0.001, (fresh.at - samples[0]!.at) / 1000));
  };
  const status = fresh === undefined ? undefined : lastStatus;
  const last = status?.checkpoints.lastCompleted;
  const view: ProgressView = {
    simulated: generator.simulated,
    totalMs: total,
    job: {
      version,
      pid: job.pid,
      state: status?.state ?? (job.admin === undefined ? 'starting' : 'busy (not answering)'),
      restoredFrom: status?.restoredFrom ? restored(status) : undefined,
      lastCheckpoint: last ? { id: last.id, ageS: (Date.now() - last.recordedAtMs) / 1000, durationMs: last.durationMs } : undefined,
    },
    streams: PRODUCED.map((stream) => {
      const e = fresh?.streams.get(topicOf(stream));
      return { name: stream, rate: rateOf(topicOf(stream)), backlog: e?.backlog, watermark: e?.watermark };
    }),
    clusters: CLUSTERS.map((name, i) => ({
      name,
      up: downSince[i] === undefined,
      downForS: downSince[i] === undefined ? undefined : (now - downSince[i]!) / 1000,
      brokers: 3,
      produced: generator.producedPerCluster[i]!,
      queued: generator.queued[i]!.length,
      backlog: fresh?.backlogPerCluster.get(name),
    })),
    partitionsReady: ((await readdir(dirs.tables, { recursive: true }).catch(() => [])) as string[]).filter((f) => f.endsWith('_SUCCESS')).length,
    deadLetters: existsSync(dirs.deadLetters) ? committedJsonLines(dirs.deadLetters).length : 0,
  };
  progress.update(view);
}
let rendering = false;
const ticker = setInterval(() => {
  if (rendering) return;
  rendering = true;
  void render()
    .catch((e: Error) => progress.event(`progress: ${e.message}`))
    .finally(() => (rendering = false));
}, 500);

// Ctrl-C: the job gets the SIGINT too and suspends; stop the rest
process.once('SIGINT', () => {
  expectingExit = true;
  clearInterval(ticker);
  polling = false;
  generator.stop();
  void job.exited.then(() => Promise.all(clusters.map((c) => c.stop()))).then(() => process.exit(130));
});

// ---- the run ---------------------------------------------------------------------------------
progress.event(`2 embedded Kafka clusters (eu, us) of 3 brokers; generating ${size.hours} simulated hours into both; output in ${out}`);
job = startJob();
const poller = poll();
let generating: Promise<void> = Promise.resolve();
try {
  let s = await running();
  progress.event(`job v1 running (pid ${job.pid}), admin endpoint ${job.admin}; the generator starts`);
  generating = generator.run();

  // 1. a crash: SIGKILL, no warning (an OOM kill, a lost node); the restart restores the last checkpoint
  await until('simulated time to reach 25%', () => generator.simulated >= 0.25 * total);
  const killedAt = simTime();
  expectingExit = true;
  progress.event(`SIGKILL job pid ${job.pid} at simulated ${killedAt}`);
  job.kill('SIGKILL');
  const killed = await job.exited;
  if (killed.signal !== 'SIGKILL') problems.push(`the job was to be SIGKILLed, it ended: ${describe(killed)}`);
  expectingExit = false;
  job = startJob();
  s = await running();
  progress.event(`job restarted (pid ${job.pid}): restored ${restored(s)}`);
  if (s.restoredFrom?.kind !== 'checkpoint') problems.push(`after the SIGKILL the job restored ${restored(s)}, not a checkpoint`);
  details.push(`  crash                   SIGKILL at simulated ${killedAt}; the new process restored ${restored(s)}`);

  // 2. an outage: cluster us stops; the job keeps running on eu, us's events wait upstream
  await until('simulated time to reach 45%', () => generator.simulated >= 0.45 * total);
  const pidDuringOutage = job.pid;
  await generator.pause(1);
  await clusters[1]!.stop();
  downSince[1] = performance.now();
  const outageAt = simTime();
  progress.event(`cluster us stopped at simulated ${outageAt}: eu keeps flowing, us's splits wait, event time waits for them`);
  await new Promise((r) => setTimeout(r, size.outageMs));
  await clusters[1]!.start();
  await generator.resume(1);
  const downFor = (performance.now() - downSince[1]) / 1000;
  downSince[1] = undefined;
  progress.event(`cluster us back after ${downFor.toFixed(1)} s: its splits continue where they stopped`);
  if (job.pid !== pidDuringOutage) problems.push('the job did not survive the cluster outage');
  details.push(`  cluster outage          us down ${downFor.toFixed(1)} s at simulated ${outageAt}; the job kept running (pid ${pidDuringOutage}) and caught up`);

  // 3. a deploy: SIGTERM suspends (savepoint, no final watermark); the new version restores it
  await until('simulated time to reach 70%', () => generator.simulated >= 0.7 * total);
  await running();
  expectingExit = true;
  progress.event(`deploying v2: SIGTERM to pid ${job.pid}`);
  job.kill('SIGTERM');
  const suspended = await job.exited;
  if (suspended.last?.outcome !== 'suspended') problems.push(`SIGTERM was to suspend the job, it ended: ${describe(suspended)}`);
  expectingExit = false;
  version = 2;
  job = startJob();
  s = await running();
  progress.event(`job v2 running (pid ${job.pid}, checkpoints every ${size.checkpointMs[1]} ms): restored ${restored(s)}`);
  if (s.restoredFrom?.kind !== 'savepoint') problems.push(`the new version restored ${restored(s)}, not the deploy's savepoint`);
  details.push(`  deploy                  v1 -> v2 by SIGTERM: ${suspended.last?.outcome ?? describe(suspended)}; v2 restored ${restored(s)}`);

  // 4. the end: everything produced is read and checkpointed (the committed offsets say so), then drain
  await generating;
  progress.event(`generator done: ${generator.expected.good + generator.expected.bad} events in ${size.hours} simulated hours`);
  await until('the job to read and checkpoint everything', () =>
    clusters.every((c) => PRODUCED.every((stream) => c.highWatermarks(topicOf(stream)).every((hw, p) => (c.committedOffset(GROUP, topicOf(stream), p) ?? 0) >= hw))),
  );
  expectingExit = true;
  progress.event('everything read and checkpointed: POST /stop?mode=drain');
  const drained = await job.stop('drain');
  if (drained.last?.outcome !== 'drained') problems.push(`the drain ended: ${describe(drained)}`);
} catch (e) {
  problems.push((e as Error).message);
  expectingExit = true;
  generator.stop();
  job.kill('SIGKILL');
  await job.exited;
}
clearInterval(ticker);
polling = false;
await poller;
while (rendering) await new Promise((r) => setTimeout(r, 20));
progress.finish();

const check = await reconcile({
  tablesDir: dirs.tables,
  deadLettersDir: dirs.deadLetters,
  expected: generator.expected,
  t0: T0,
  streams: OUTPUT_STREAMS,
  notifications: await readTopic(kafkas[0]!, READY_TOPIC).catch((e: Error) => (problems.push(`reading the notifications: ${e.message}`), [])),
});
check.problems.unshift(...problems);
await Promise.all(producers.map((p) => p.disconnect()));
await Promise.all(clusters.map((c) => c.stop()));
details.push(`  run                     ${starts} job processes, logs in ${join(out, 'logs')}`);
process.exitCode = printSummary({
  title: `Weir demo: 2 Kafka clusters -> protobuf -> ETL -> Parquet -> merge -> ready, through a crash, an outage and a deploy (${((performance.now() - started) / 1000).toFixed(0)} s)`,
  check,
  outputDir: out,
  label: 'demo',
  details,
});
