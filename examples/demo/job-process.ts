/**
 * The pipeline as its own child process (`examples/ods-ingest/job.ts`), the way a pod runs it:
 * started, SIGKILLed, SIGTERMed for a deploy, and watched through its admin endpoint.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { JobStatusSnapshot } from '@weir/core';

const { WEIR_ADMIN_TOKEN: _token, ...withoutToken } = process.env;
const JOB = fileURLToPath(new URL('../ods-ingest/job.ts', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The job's last JSON line: `{ event: 'stopped', outcome }` or `{ event: 'failed', error }`. */
  last?: { event: string; outcome?: string; error?: string };
}

export class JobProcess {
  readonly pid: number;
  /** The admin endpoint, once the job printed it. */
  admin: string | undefined;
  readonly running: Promise<void>;
  readonly exited: Promise<Exit>;
  private readonly child: ChildProcess;

  constructor(args: string[], readonly version: number, logFile: string) {
    const log = createWriteStream(logFile, { flags: 'a' });
    this.child = spawn(process.execPath, ['--conditions=weir-source', '--import', 'tsx', JOB, ...args, '--version', String(version), '--stop-on-stdin-close'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: withoutToken, // the demo reads /status without a token
    });
    this.pid = this.child.pid!;
    this.child.stderr!.pipe(log);
    let last: Exit['last'];
    let buffered = '';
    let onRunning!: () => void;
    this.running = new Promise((r) => (onRunning = r));
    this.child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
        const line = buffered.slice(0, i);
        buffered = buffered.slice(i + 1);
        log.write(`[stdout] ${line}\n`);
        try {
          const msg = JSON.parse(line) as { event: string; admin?: string };
          if (msg.event === 'running') {
            this.admin = msg.admin;
            onRunning();
          } else last = msg;
        } catch {
          // not one of the job's JSON lines
        }
      }
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal, last })));
    void this.exited.then(() => log.end());
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** `GET /status`, or undefined while the endpoint is not up (starting, stopped, killed). */
  async status(): Promise<JobStatusSnapshot | undefined> {
    if (this.admin === undefined) return undefined;
    try {
      const res = await fetch(`${this.admin}/status`, { signal: AbortSignal.timeout(5_000) });
      return res.ok ? ((await res.json()) as JobStatusSnapshot) : undefined;
    } catch {
      return undefined;
    }
  }

  /** `POST /stop?mode=…`: the job stops, its process exits. */
  async stop(mode: 'suspend' | 'drain'): Promise<Exit> {
    const res = await fetch(`${this.admin}/stop?mode=${mode}`, { method: 'POST' });
    if (res.status !== 202) throw new Error(`POST /stop?mode=${mode}: ${res.status} ${await res.text()}`);
    return this.exited;
  }
}
