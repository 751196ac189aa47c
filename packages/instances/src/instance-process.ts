/**
 * One running instance process: its output lines (the last few kept for error messages),
 * its readiness (the `instanceReady()` message over the IPC channel) and its exit.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { READY_MESSAGE } from './env.js';

export interface InstanceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnSpec {
  instance: number;
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string | undefined;
  keepLines: number;
  onLine: ((instance: number, line: string) => void) | undefined;
}

export class InstanceProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<InstanceExit>;
  readonly startedAtMs = Date.now();
  private readonly lines: string[] = [];
  private isReady = false;
  /** The signal that drains this instance, as it said when ready (`instanceReady({ drainSignal })`). */
  drainSignal: NodeJS.Signals | undefined;
  /** Set when the set itself ends it (SIGTERM of a suspend, SIGKILL of kill/killAll): its exit is no crash. */
  stopping = false;
  private exit: InstanceExit | undefined;

  constructor(private readonly spec: SpawnSpec) {
    this.child = spawn(spec.command, [...spec.args], { env: spec.env, cwd: spec.cwd, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let onReady!: () => void;
    this.ready = new Promise<void>((resolve) => (onReady = resolve));
    this.child.on('message', (m: unknown) => {
      if (typeof m === 'object' && m !== null && (m as { weir?: unknown }).weir === READY_MESSAGE.weir) {
        this.isReady = true;
        const drain = (m as { drainSignal?: unknown }).drainSignal;
        if (typeof drain === 'string') this.drainSignal = drain as NodeJS.Signals;
        onReady();
      }
    });
    this.exited = new Promise<InstanceExit>((resolve) => {
      // a command that cannot start (ENOENT) emits 'error' and no 'exit'
      this.child.once('error', (err) => {
        this.note(`could not start ${spec.command}: ${err.message}`);
        this.exit ??= { code: null, signal: null };
        resolve(this.exit);
      });
      this.child.once('exit', (code, signal) => {
        this.exit ??= { code, signal };
        resolve(this.exit);
      });
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      let buf = '';
      stream.setEncoding('utf8');
      stream.on('data', (d: string) => {
        buf += d;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          this.note(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      });
      stream.on('end', () => buf !== '' && this.note(buf));
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get state(): 'starting' | 'ready' | 'exited' {
    return this.exit !== undefined ? 'exited' : this.isReady ? 'ready' : 'starting';
  }

  get exitStatus(): InstanceExit | undefined {
    return this.exit;
  }

  /** The last lines it printed (stdout and stderr), oldest first. */
  lastLines(): string[] {
    return [...this.lines];
  }

  /** For error messages: how it ended and what it printed last. */
  describe(): string {
    const how = this.exit === undefined ? 'still running' : this.exit.signal !== null ? `killed by ${this.exit.signal}` : `exited with code ${this.exit.code ?? 'unknown'}`;
    const last = this.lines.slice(-5);
    return `instance ${this.spec.instance} (pid ${this.pid ?? '-'}) ${how}; ${last.length === 0 ? 'it printed nothing' : `its last output:\n    ${last.join('\n    ')}`}`;
  }

  signal(sig: NodeJS.Signals): void {
    this.stopping = true;
    if (this.exit === undefined) this.child.kill(sig);
  }

  private note(line: string): void {
    if (line.trim() === '') return;
    this.lines.push(line);
    if (this.lines.length > this.spec.keepLines) this.lines.shift();
    this.spec.onLine?.(this.spec.instance, line);
  }
}
