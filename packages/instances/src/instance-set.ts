/**
 * A set of job instance processes (instance i of n, one checkpoint location each), rescaled the
 * way a deployment does it: SIGTERM every instance (each suspends with a savepoint), read each
 * instance's new savepoint from its checkpoint storage, then start m instances that all restore
 * that savepoint set. Savepoints are read from storage, not from the instances' output: a
 * savepoint counts only if it completed (its metadata was written) after the SIGTERM.
 */

import type { CheckpointStorage, CompletedCheckpoint } from '@weir/core';
import { validateOptions } from '@weir/core';
import { INSTANCE_ENV, restoreFromValue } from './env.js';
import { InstanceProcess } from './instance-process.js';
import { checkpointLocation, checkpointStorageAt } from './locations.js';
import { instanceSetOptionsSchema, type InstanceSetOptions } from './options.js';

/** One instance as `status()` reports it. */
export interface InstanceStatus {
  instance: number;
  pid: number | undefined;
  /** `starting` until it called `instanceReady()`. */
  state: 'starting' | 'ready' | 'exited';
  exit?: { code: number | null; signal: string | null };
  checkpoints: string;
  /** Its last output lines, oldest first. */
  lastLines: string[];
}

/** A suspend or start that went wrong: which instances, and what each printed last. */
export class InstanceSetError extends Error {}

export class InstanceSet {
  private readonly o: InstanceSetOptions;
  private running: InstanceProcess[] = [];
  private count = 0;
  private restoring: readonly string[] = [];
  private readonly storages = new Map<number, Promise<CheckpointStorage>>();

  constructor(options: InstanceSetOptions) {
    this.o = validateOptions(instanceSetOptionsSchema, options, 'InstanceSet options') as InstanceSetOptions;
  }

  /** Instances of the current run (0 when suspended or not started). */
  get parallelism(): number {
    return this.count;
  }

  /** The savepoint set the current run started from (empty: none). */
  get restoreFrom(): readonly string[] {
    return this.restoring;
  }

  /** Instance i's checkpoint location. */
  locationOf(i: number): string {
    return checkpointLocation(this.o.checkpoints, i);
  }

  /** Instance i's checkpoint storage (opened once). */
  storageOf(i: number): Promise<CheckpointStorage> {
    let s = this.storages.get(i);
    if (s === undefined) {
      const location = this.locationOf(i);
      s = Promise.resolve(this.o.storageOf ? this.o.storageOf(i, location) : checkpointStorageAt(location, { ...process.env, ...this.o.env }));
      this.storages.set(i, s);
    }
    return s;
  }

  /** Start `n` instances, each restoring `restoreFrom` (a savepoint set) when given, else its own newest checkpoint. */
  start(n: number, restoreFrom: readonly string[] = []): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`InstanceSet.start: the instance count must be a positive integer, got ${n}`);
    if (this.running.length > 0) throw new InstanceSetError(`${this.running.length} instances are running: suspend them (suspendAll) before starting ${n}`);
    restoreFromValue(restoreFrom);
    this.count = n;
    this.restoring = [...restoreFrom];
    this.running = Array.from({ length: n }, (_, i) => this.spawn(i));
  }

  /** SIGKILL instance i (no savepoint, nothing flushed: a crash) and wait for it to end. */
  async kill(i: number): Promise<void> {
    const p = this.instance(i);
    p.signal('SIGKILL');
    await p.exited;
  }

  /** Start instance i again with the run's settings (it restores its own newest checkpoint); it must have ended. */
  restart(i: number): void {
    const p = this.instance(i);
    if (p.exitStatus === undefined) throw new InstanceSetError(`instance ${i} is still running (pid ${p.pid}): kill it first`);
    this.running[i] = this.spawn(i);
  }

  /** Resolves once every instance called `instanceReady()`; rejects naming one that ended first or timed out. */
  async waitReady(timeoutMs = this.o.readyTimeoutMs ?? 60_000): Promise<void> {
    const failures = (await Promise.all(this.running.map((p) => readyOrWhy(p, timeoutMs)))).filter((f) => f !== undefined);
    if (failures.length > 0) throw new InstanceSetError(`not every instance became ready:\n  ${failures.join('\n  ')}`);
  }

  /**
   * Suspend every instance: once all are ready, SIGTERM each; each must exit having completed a
   * savepoint (read from its checkpoint storage: newer than its newest point before the SIGTERM,
   * written by instance i of this run). Returns the savepoint set in instance order; throws an
   * `InstanceSetError` naming every instance that failed and what it printed last (the others
   * are suspended; nothing runs afterwards either way).
   */
  async suspendAll(): Promise<string[]> {
    if (this.running.length === 0) throw new InstanceSetError('no instances are running');
    const procs = this.running;
    const n = this.count;
    try {
      await this.waitReady();
    } catch (err) {
      await this.killAll();
      throw new InstanceSetError(`${(err as Error).message}\n(suspend abandoned: every instance was killed; each restores its own newest checkpoint at the next start)`);
    }
    return this.stopAll(procs, n, () => 'SIGTERM', 'savepoint', this.o.suspendTimeoutMs ?? 60_000, `the suspend of ${n} instances did not produce a complete savepoint set`);
  }

  /**
   * Drain every instance: end the job for good, every record processed (Flink's stop with drain).
   * Once all are ready, each gets its drain signal (`instanceReady({ drainSignal })`) at the same
   * time — a job with a repartition topic ends only when every instance's input ended, so
   * draining one after another would make the first wait for the rest — and must exit having
   * completed a drained final checkpoint (read from its storage). Returns those checkpoints in
   * instance order. Refuses before signalling anything when an instance is not ready or did not
   * declare a drain signal; otherwise throws an `InstanceSetError` naming every instance that
   * failed (nothing runs afterwards either way).
   */
  async drainAll(): Promise<string[]> {
    if (this.running.length === 0) throw new InstanceSetError('no instances are running');
    const procs = this.running;
    const n = this.count;
    try {
      await this.waitReady();
    } catch (err) {
      throw new InstanceSetError(`${(err as Error).message}\n(drain not started: no instance was signalled)`);
    }
    const silent = procs.flatMap((p, i) => (p.drainSignal === undefined ? [i] : []));
    if (silent.length > 0) {
      throw new InstanceSetError(
        `instances ${silent.join(', ')} did not declare a drain signal: the program must call stopOnSignals(job, { mode: 'drain', signals: ['SIGUSR2'] }) and instanceReady({ drainSignal: 'SIGUSR2' }) (drain not started: no instance was signalled)`,
      );
    }
    return this.stopAll(procs, n, (p) => p.drainSignal!, 'drained', this.o.drainTimeoutMs ?? 120_000, `the drain of ${n} instances did not end every one with a drained checkpoint`);
  }

  /**
   * Signal every instance at once and read the point each must leave in its storage (newer than
   * its newest before the signal); the set runs nothing afterwards. Paths in instance order, or an
   * `InstanceSetError` under `failureHeading` naming every instance that failed.
   */
  private async stopAll(procs: InstanceProcess[], n: number, signalOf: (p: InstanceProcess) => NodeJS.Signals, want: 'savepoint' | 'drained', timeoutMs: number, failureHeading: string): Promise<string[]> {
    const before = await Promise.all(procs.map(async (_, i) => (await this.storageOf(i)).latest()));
    for (const p of procs) p.signal(signalOf(p));
    const results = await Promise.all(procs.map((p, i) => this.stoppedPointOf(p, i, n, before[i], timeoutMs, { signal: signalOf(p), want })));
    this.running = [];
    this.count = 0;
    const failures = results.filter((r): r is { error: string } => 'error' in r).map((r) => r.error);
    if (failures.length > 0) throw new InstanceSetError(`${failureHeading}:\n  ${failures.join('\n  ')}`);
    return results.map((r) => (r as { path: string }).path);
  }

  /** Suspend all instances, then start `m` from their savepoint set; returns the set. */
  async rescale(m: number): Promise<string[]> {
    if (!Number.isInteger(m) || m < 1) throw new RangeError(`InstanceSet.rescale: the instance count must be a positive integer, got ${m}`);
    const set = await this.suspendAll();
    this.start(m, set);
    return set;
  }

  /** SIGKILL whatever still runs (cleanup). */
  async killAll(): Promise<void> {
    const procs = this.running;
    this.running = [];
    this.count = 0;
    for (const p of procs) p.signal('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
  }

  status(): InstanceStatus[] {
    return this.running.map((p, i) => {
      const exit = p.exitStatus;
      return { instance: i, pid: p.pid, state: p.state, ...(exit ? { exit: { code: exit.code, signal: exit.signal } } : {}), checkpoints: this.locationOf(i), lastLines: p.lastLines() };
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.killAll();
  }

  private instance(i: number): InstanceProcess {
    const p = this.running[i];
    if (p === undefined) throw new RangeError(`no instance ${i}: ${this.running.length} instances run`);
    return p;
  }

  private spawn(i: number): InstanceProcess {
    const [command, ...args] = this.o.command;
    const p = new InstanceProcess({
      instance: i,
      command: command!,
      args,
      cwd: this.o.cwd,
      keepLines: this.o.keepLines ?? 20,
      onLine: this.o.onLine,
      env: {
        ...process.env,
        ...this.o.env,
        [INSTANCE_ENV.instance]: String(i),
        [INSTANCE_ENV.instances]: String(this.count),
        [INSTANCE_ENV.checkpoints]: this.locationOf(i),
        [INSTANCE_ENV.restoreFrom]: restoreFromValue(this.restoring),
      },
    });
    void p.exited.then((exit) => {
      if (!p.stopping) this.o.onExit?.(i, { code: exit.code, signal: exit.signal }, p.lastLines());
    });
    return p;
  }

  /**
   * Wait for instance i to exit after its stop signal and read the point it must have left: a
   * savepoint (suspend) or a drained final checkpoint (drain); or say why there is none.
   */
  private async stoppedPointOf(p: InstanceProcess, i: number, n: number, before: CompletedCheckpoint | undefined, timeoutMs: number, stop: { signal: string; want: 'savepoint' | 'drained' }): Promise<{ path: string } | { error: string }> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await Promise.race([p.exited.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)))]);
    clearTimeout(timer);
    if (timedOut) {
      p.signal('SIGKILL');
      await p.exited;
      return { error: `instance ${i} did not exit within ${timeoutMs} ms of ${stop.signal} and was killed: ${p.describe()}` };
    }
    let latest: CompletedCheckpoint | undefined;
    try {
      latest = await (await this.storageOf(i)).latest();
    } catch (err) {
      return { error: `instance ${i}: cannot read its checkpoint storage ${this.locationOf(i)}: ${String(err)}` };
    }
    const fresh = latest !== undefined && (before === undefined || (latest.path !== before.path && latest.metadata.id > before.metadata.id));
    const m = latest?.metadata;
    const right = stop.want === 'savepoint' ? m?.kind === 'savepoint' : m?.drained === true;
    if (fresh && right && (m!.subtask ?? 0) === i && (m!.parallelism ?? 1) === n) return { path: latest!.path };
    const what = stop.want === 'savepoint' ? 'a savepoint' : 'a drained final checkpoint';
    const found = latest === undefined ? 'its storage holds no checkpoint' : `its newest point is ${m!.drained === true ? 'drained ' : ''}${m!.kind} ${m!.id} at ${latest.path}${fresh ? ` (instance ${m!.subtask ?? 0} of ${m!.parallelism ?? 1})` : `, from before the ${stop.signal}`}`;
    return { error: `instance ${i} ended without ${what} (${found}): ${p.describe()}` };
  }
}

async function readyOrWhy(p: InstanceProcess, timeoutMs: number): Promise<string | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    p.ready.then(() => 'ready' as const),
    p.exited.then(() => 'exited' as const),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome === 'ready' && p.state !== 'exited') return undefined;
  if (outcome === 'timeout') return `not ready after ${timeoutMs} ms (does the program call instanceReady() from @weir/instances after stopOnSignals(job)?): ${p.describe()}`;
  return `ended before the suspend: ${p.describe()}`;
}
