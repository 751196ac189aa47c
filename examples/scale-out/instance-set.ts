/**
 * Runs a set of job instance processes (instance i of n, one checkpoint location each) and
 * rescales them the way a deployment does: SIGTERM every instance (each suspends with a
 * savepoint), then start m instances that all restore the n savepoints (`RESTORE_FROM`).
 * Instance i keeps location i across rescales, so its own newer checkpoints win after a crash.
 */

import { spawn, type ChildProcess } from 'node:child_process';

export interface InstanceSetOptions {
  /** The instance program (a TypeScript file run through tsx). */
  script: string;
  /** Where instance `i` keeps its checkpoints (a directory, an object-store key prefix): its `CHECKPOINTS`. */
  checkpointsOf: (i: number) => string;
  /** Environment every instance gets (besides SUBTASK, PARALLELISM, CHECKPOINTS, RESTORE_FROM). */
  env: Record<string, string>;
  /** Called with each line an instance prints. */
  onLine?: (instance: number, line: string) => void;
}

interface Running {
  child: ChildProcess;
  /** The instance printed its ready line: SIGTERM now suspends it. */
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; lastLine: string }>;
}

export class InstanceSet {
  private running: Running[] = [];
  private parallelismNow = 0;
  private restoreFrom: string[] = [];

  constructor(private readonly o: InstanceSetOptions) {}

  get parallelism(): number {
    return this.parallelismNow;
  }

  /** Start `n` instances, restoring `restoreFrom` (a savepoint set) when given. */
  start(n: number, restoreFrom: string[] = []): void {
    if (this.running.length > 0) throw new Error('instances are running: suspend them first');
    this.parallelismNow = n;
    this.restoreFrom = restoreFrom;
    this.running = Array.from({ length: n }, (_, i) => this.spawn(i));
  }

  /** SIGKILL instance `i` (no savepoint, nothing flushed). */
  async kill(i: number): Promise<void> {
    const r = this.running[i]!;
    r.child.kill('SIGKILL');
    await r.exited;
  }

  /** Start instance `i` again with the same settings (it restores its newest checkpoint). */
  restart(i: number): void {
    this.running[i] = this.spawn(i);
  }

  /** Once every instance is ready (its SIGTERM handler installed), SIGTERM them all and collect their savepoints (in instance order). */
  async suspendAll(): Promise<string[]> {
    await Promise.all(this.running.map((r) => Promise.race([r.ready, r.exited])));
    for (const r of this.running) r.child.kill('SIGTERM');
    const ends = await Promise.all(this.running.map((r) => r.exited));
    this.running = [];
    return ends.map((e, i) => {
      const parsed = parseLast(e.lastLine);
      if (e.code !== 0 || parsed?.savepoint == null) throw new Error(`instance ${i} did not suspend with a savepoint (exit ${e.code ?? e.signal}): ${e.lastLine}`);
      return parsed.savepoint;
    });
  }

  /** Suspend all n instances, then start m from their savepoints. */
  async rescale(m: number): Promise<string[]> {
    const savepoints = await this.suspendAll();
    this.start(m, savepoints);
    return savepoints;
  }

  /** Kill whatever still runs (cleanup). */
  async killAll(): Promise<void> {
    for (const r of this.running) r.child.kill('SIGKILL');
    await Promise.all(this.running.map((r) => r.exited));
    this.running = [];
  }

  private spawn(i: number): Running {
    const env = {
      ...process.env,
      ...this.o.env,
      SUBTASK: String(i),
      PARALLELISM: String(this.parallelismNow),
      CHECKPOINTS: this.o.checkpointsOf(i),
      RESTORE_FROM: this.restoreFrom.join(','),
    };
    const child = spawn(process.execPath, ['--conditions=weir-source', '--import', 'tsx', this.o.script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let lastLine = '';
    let buf = '';
    let onReady!: () => void;
    const ready = new Promise<void>((resolve) => (onReady = resolve));
    const onData = (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim() !== '') {
          if (line.includes('"ready":true')) onReady();
          lastLine = line;
          this.o.onLine?.(i, line);
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; lastLine: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, lastLine })));
    return { child, ready, exited };
  }
}

function parseLast(line: string): { savepoint?: string | null } | undefined {
  try {
    return JSON.parse(line) as { savepoint?: string | null };
  } catch {
    return undefined;
  }
}
