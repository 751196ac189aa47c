/**
 * `scale` suite: keyed throughput across instance processes, on one embedded broker (its own
 * process, `weir-kafka`). The pipeline (bench/support/scale-instance.ts): Kafka orders -> parse ->
 * keyBy(customer) -> a running sum per customer in classic-level state. Timed from 'go' (sent to
 * every instance once all are running; their sources read nothing before) to the last record the
 * keyed step handles on any instance: process and job start-up are not timed, the Kafka hop's
 * commit latency (read_committed sees records once their checkpoint commits) is. Instance
 * processes live for the whole suite and run one job per round, so the counted rounds run warm
 * (JIT-compiled), as a long-running deployment does; each side has its own processes.
 * Per side it also prints where the CPU went: instance and broker CPU per record, the broker's
 * share, and cores busy (bench/README.md quotes them).
 *
 * - `scale.instances-2-vs-1`: 2 instance processes over 1 on the same input, the topic already
 *   partitioned by key group for the instance count (keyBy prePartitioned, no exchange).
 *   The machine has 2 cores and the broker process shares them: the figure is bounded by it.
 * - `scale.repartition-overhead`: one instance whose keyBy goes through the Kafka repartition
 *   topic (kafkaExchange: write in the exactly-once transaction, read back read_committed) over
 *   one that keys in process. Reported, no target.
 * - `scale.machine-2-vs-1`: the reference for the first: the job's per-record work as a plain
 *   loop (bench/support/cpu-loop.ts) in 2 processes over 1. Reported, no target.
 * Sides run in the same rounds, rotating order, after a warm-up round.
 */

import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { keyGroupOf, subtaskForKeyGroup } from '@weir/core';
import { Kafka, logLevel } from 'kafkajs';
import type { BenchResult } from './support/result.js';
import { startBrokerProcess } from './support/broker-process.js';
import { size } from './support/sizes.js';
import { alternate, comparison, logRounds } from './support/stats.js';

// 2M: at 300k the run lasts under a second and fixed costs (the first commit of the hop, start of reading) hid the scaling
const RECORDS = size('WEIR_BENCH_SCALE_RECORDS', 2_000_000, 20_000);
const ROUNDS = size('WEIR_BENCH_ROUNDS', 3, 1);
const MAX_PARALLELISM = 8;
const PARTITIONS = 8;
const CUSTOMERS = 10_000;
const INSTANCE = fileURLToPath(new URL('./support/scale-instance.ts', import.meta.url));
const CPU_LOOP = fileURLToPath(new URL('./support/cpu-loop.ts', import.meta.url));

/**
 * The partition of a key group for `parallelism` instances: the Kafka source deals partition q to
 * instance q mod parallelism, so a group goes to a partition its owner reads.
 */
function partitionFor(group: number, parallelism: number): number {
  const owner = subtaskForKeyGroup(group, parallelism, MAX_PARALLELISM);
  const rank = group - Math.ceil((owner * MAX_PARALLELISM) / parallelism);
  return (rank * parallelism + owner) % PARTITIONS;
}

async function fill(brokers: string[], topic: string, parallelism: number): Promise<void> {
  const producer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  for (let start = 0; start < RECORDS; start += 1000) {
    const messages = [];
    for (let i = start; i < Math.min(RECORDS, start + 1000); i++) {
      const customer = `customer-${(i * 7919) % CUSTOMERS}`;
      messages.push({ partition: partitionFor(keyGroupOf(customer, MAX_PARALLELISM), parallelism), value: JSON.stringify({ customer, amount: i % 100 }) });
    }
    await producer.send({ topic, acks: 1, messages });
  }
  await producer.disconnect();
}

const TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU ms a process used so far, every thread (Linux /proc). */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S; // utime, stime
}

interface Run {
  /** Records/s from the first to the last keyed record. */
  rate: number;
  /** CPU ms the instance processes used from 'go' to the end (all threads: main, GC, libuv). */
  instancesCpuMs: number;
  /** CPU ms the broker process used over the same span. */
  brokerCpuMs: number;
  wallMs: number;
}

type Report = { ready: boolean; count: number; first: number; last: number; cpuMs: number };

/** Long-lived instance processes (one job per round: warm after the warm-up round). */
class InstancePool {
  readonly children: ChildProcess[];
  private readonly reports: Report[];
  private stoppedWaiters: Array<() => void> = [];

  constructor(readonly size: number) {
    this.reports = Array.from({ length: size }, () => ({ ready: false, count: 0, first: 0, last: 0, cpuMs: 0 }));
    this.children = this.reports.map((_, i) => {
      const child = fork(INSTANCE, [], { execArgv: process.execArgv.filter((a) => a !== '--expose-gc'), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.on('message', (m) => {
        if ((m as { stopped?: boolean }).stopped === true) this.stoppedWaiters.shift()?.();
        else this.reports[i] = m as Report;
      });
      return child;
    });
  }

  /** Runs one job on every process to the end of the input. */
  async run(brokerPid: number, brokers: string[], topic: string, job: string, mode: 'pre' | 'hop'): Promise<Run> {
    const parallelism = this.size;
    this.reports.fill({ ready: false, count: 0, first: 0, last: 0, cpuMs: 0 });
    const stopped = this.children.map(() => new Promise<void>((resolve) => this.stoppedWaiters.push(resolve)));
    this.children.forEach((c, subtask) => c.send({ run: { brokers, topic, job, subtask, parallelism, maxParallelism: MAX_PARALLELISM, mode } }));
    const state = this.reports;
    try {
      const startBy = Date.now() + 120_000;
      while (!state.every((s) => s.ready)) {
        if (Date.now() > startBy) throw new Error(`${job}: instances not running after 120 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const brokerAtGo = processCpuMs(brokerPid);
      for (const c of this.children) c.send('go');
      const deadline = Date.now() + 300_000;
      while (state.reduce((s, x) => s + x.count, 0) < RECORDS) {
        if (Date.now() > deadline) throw new Error(`${job}: ${state.map((s) => s.count).join('+')} of ${RECORDS} records after 300 s`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const brokerCpuMs = processCpuMs(brokerPid) - brokerAtGo;
      // one more report, so every instance's CPU figure covers its last record
      await new Promise((r) => setTimeout(r, 150));
      const total = state.reduce((s, x) => s + x.count, 0);
      if (total !== RECORDS) throw new Error(`${job}: ${total} records keyed, expected ${RECORDS}`);
      const first = Math.min(...state.map((s) => s.first));
      const last = Math.max(...state.map((s) => s.last));
      return { rate: RECORDS / ((last - first) / 1000), instancesCpuMs: state.reduce((s, x) => s + x.cpuMs, 0), brokerCpuMs, wallMs: last - first };
    } finally {
      for (const c of this.children) c.send('stop');
      await Promise.all(stopped);
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      this.children.map((c) => {
        const exited = new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)));
        if (c.exitCode === null) c.send('exit');
        return exited;
      }),
    );
  }
}

/** The machine reference: `processes` plain loops (bench/support/cpu-loop.ts) share the records; records/s over the slowest. */
async function cpuLoops(processes: number): Promise<Run> {
  const share = Math.ceil(RECORDS / processes);
  const children = Array.from({ length: processes }, () => fork(CPU_LOOP, [String(share)], { execArgv: process.execArgv.filter((a) => a !== '--expose-gc'), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  await Promise.all(children.map((c) => new Promise((resolve) => c.once('message', resolve))));
  const done = children.map((c) => new Promise<number>((resolve) => c.once('message', (m) => resolve((m as { ms: number }).ms))));
  for (const c of children) c.send('go');
  const ms = Math.max(...(await Promise.all(done)));
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  return { rate: (share * processes) / (ms / 1000), instancesCpuMs: 0, brokerCpuMs: 0, wallMs: ms };
}

/**
 * Where the 2 cores went, per side (median of rounds): CPU per record of the instances and of the
 * broker, the broker's share of all CPU used, and cores busy over the run (2.0 = the machine is full).
 */
function logCpu(sides: Record<string, Run[]>): void {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  for (const [name, runs] of Object.entries(sides)) {
    const inst = median(runs.map((x) => (x.instancesCpuMs * 1000) / RECORDS));
    const broker = median(runs.map((x) => (x.brokerCpuMs * 1000) / RECORDS));
    const share = median(runs.map((x) => x.brokerCpuMs / (x.brokerCpuMs + x.instancesCpuMs)));
    const cores = median(runs.map((x) => (x.brokerCpuMs + x.instancesCpuMs) / x.wallMs));
    console.log(`scale cpu, ${name}: instances ${inst.toFixed(2)} µs/record, broker ${broker.toFixed(2)} µs/record (${(share * 100).toFixed(0)}% of CPU used), ${cores.toFixed(2)} cores busy`);
  }
}

export async function run(): Promise<BenchResult[]> {
  const { child, brokers } = await startBrokerProcess([`by-group-1:${PARTITIONS}`, `by-group-2:${PARTITIONS}`]);
  try {
    await fill(brokers, 'by-group-1', 1);
    await fill(brokers, 'by-group-2', 2);
    const pid = child.pid!;
    const pools = { one: new InstancePool(1), two: new InstancePool(2), hop: new InstancePool(1) };
    let r: Record<keyof typeof pools | 'loopOne' | 'loopTwo', Run[]>;
    try {
      r = await alternate(
        {
          one: (round) => pools.one.run(pid, brokers, 'by-group-1', `one-${round}`, 'pre'),
          two: (round) => pools.two.run(pid, brokers, 'by-group-2', `two-${round}`, 'pre'),
          hop: (round) => pools.hop.run(pid, brokers, 'by-group-1', `hop-${round}`, 'hop'),
          loopOne: () => cpuLoops(1),
          loopTwo: () => cpuLoops(2),
        },
        { rounds: ROUNDS, warmup: 1 },
      );
    } finally {
      await Promise.all(Object.values(pools).map((p) => p.close()));
    }
    const rates = (runs: Run[]) => runs.map((x) => x.rate);
    logRounds('scale', { '1 instance': rates(r.one), '2 instances': rates(r.two), '1 instance via repartition topic': rates(r.hop) }, 'records/s');
    logRounds('scale machine reference', { '1 plain loop process': rates(r.loopOne), '2 plain loop processes': rates(r.loopTwo) }, 'records/s');
    logCpu({ '1 instance': r.one, '2 instances': r.two, '1 instance via repartition topic': r.hop });
    return [
      comparison('scale.instances-2-vs-1', 'records/s', rates(r.two), rates(r.one), { target: { op: '>=', value: 1.5 }, baselineLabel: '1 instance process (broker in a third process on the same 2 cores)' }),
      comparison('scale.repartition-overhead', 'records/s', rates(r.hop), rates(r.one), { baselineLabel: '1 instance, keyBy in process' }),
      comparison('scale.machine-2-vs-1', 'records/s', rates(r.loopTwo), rates(r.loopOne), { baselineLabel: 'the same per-record work (JSON.parse, a Map sum) as a plain loop: 2 processes over 1, no Kafka, no Weir; how far this machine scales CPU-bound JavaScript' }),
    ];
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

// `node --conditions=weir-source --import tsx bench/scale.ts` runs it alone
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await run(), null, 2));
}
