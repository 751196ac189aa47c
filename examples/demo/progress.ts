/**
 * Live progress of the demo: a compact dashboard redrawn in place on a terminal, plain log lines
 * (one every few seconds, plus each event) when the output is a file or a pipe.
 */

export interface ProgressView {
  simulated: number;
  totalMs: number;
  job: { version: number; pid: number; state: string; restoredFrom?: string; lastCheckpoint?: { id: number; ageS: number; durationMs: number } };
  streams: Array<{ name: string; rate: number; backlog?: number; watermark?: number | null }>;
  clusters: Array<{ name: string; up: boolean; downForS?: number; brokers: number; produced: number; queued: number; backlog?: number }>;
  partitionsReady: number;
  deadLetters: number;
}

const hhmm = (ms: number) => `${String(Math.floor(ms / 3_600_000)).padStart(2, '0')}:${String(Math.floor((ms % 3_600_000) / 60_000)).padStart(2, '0')}`;
const n = (v: number | undefined) => (v === undefined ? '-' : v.toLocaleString('en-US'));

export class Progress {
  private readonly started = performance.now();
  private readonly events: string[] = [];
  private drawn = 0;
  private lastPlain = 0;

  constructor(
    private readonly tty: boolean,
    private readonly t0: number,
    private readonly write: (s: string) => void = (s) => process.stdout.write(s),
  ) {}

  private get wall(): string {
    return `${((performance.now() - this.started) / 1000).toFixed(1).padStart(5)}s`;
  }

  /** Something happened (a fault injected, a restart, a check). */
  event(message: string): void {
    const line = `[${this.wall}] ${message}`;
    if (this.tty) {
      this.events.push(line);
      if (this.events.length > 8) this.events.shift();
    } else this.write(`${line}\n`);
  }

  update(v: ProgressView): void {
    const wm = (t: number | null | undefined) => (t === undefined || t === null || t < this.t0 ? '-' : hhmm(t - this.t0));
    if (!this.tty) {
      if (performance.now() - this.lastPlain < 3_000) return;
      this.lastPlain = performance.now();
      const rate = v.streams.reduce((s, x) => s + x.rate, 0);
      const backlog = v.streams.every((s) => s.backlog === undefined) ? '-' : n(v.streams.reduce((s, x) => s + (x.backlog ?? 0), 0));
      const minWm = Math.min(...v.streams.map((s) => s.watermark ?? -Infinity));
      const ckpt = v.job.lastCheckpoint ? `#${v.job.lastCheckpoint.id} ${v.job.lastCheckpoint.ageS.toFixed(1)}s ago` : '-';
      const clusters = v.clusters.map((c) => `${c.name} ${c.up ? 'up' : 'DOWN'}`).join(' ');
      this.write(
        `[${this.wall}] simulated ${hhmm(v.simulated)}/${hhmm(v.totalMs)} | job v${v.job.version} ${v.job.state} | ${n(Math.round(rate))} rec/s | backlog ${backlog} | watermark ${wm(minWm)} | checkpoint ${ckpt} | ${clusters} | ready ${v.partitionsReady}\n`,
      );
      return;
    }
    const lines = [
      `\x1b[1mWeir demo: ODS ingest\x1b[0m  simulated ${hhmm(v.simulated)} of ${hhmm(v.totalMs)}  wall ${this.wall.trim()}`,
      `job      v${v.job.version} pid ${v.job.pid} ${v.job.state === 'running' ? '\x1b[32mrunning\x1b[0m' : `\x1b[33m${v.job.state}\x1b[0m`}` +
        `${v.job.restoredFrom ? `  restored ${v.job.restoredFrom}` : ''}` +
        `${v.job.lastCheckpoint ? `  last checkpoint #${v.job.lastCheckpoint.id} ${v.job.lastCheckpoint.ageS.toFixed(1)}s ago (took ${Math.round(v.job.lastCheckpoint.durationMs)} ms)` : ''}`,
      `stream        rec/s   backlog  watermark`,
      ...v.streams.map((s) => `${s.name.padEnd(11)} ${n(Math.round(s.rate)).padStart(7)} ${n(s.backlog).padStart(9)}  ${wm(s.watermark)}`),
      ...v.clusters.map(
        (c) =>
          `cluster ${c.name.padEnd(3)} ${c.up ? `\x1b[32mup\x1b[0m (${c.brokers} brokers)` : `\x1b[31mDOWN\x1b[0m ${c.downForS?.toFixed(1)}s`.padEnd(21)}` +
          `  backlog ${n(c.backlog)}  produced ${n(c.produced)}${c.queued > 0 ? `  waiting upstream ${n(c.queued)}` : ''}`,
      ),
      `output   ${v.partitionsReady} partitions ready, ${v.deadLetters} dead letters`,
      ...this.events,
    ];
    // move up over the previous frame, clear it, draw the new one
    this.write(`${this.drawn > 0 ? `\x1b[${this.drawn}A` : ''}\x1b[0J${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }

  /** Stop redrawing: later output goes below the last frame. */
  finish(): void {
    this.drawn = 0;
  }
}
