/**
 * A running job: attempts with restarts from the last completed checkpoint, and the
 * handle users stop, checkpoint or inspect it with.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCheckpointStorage, type CompletedCheckpoint } from '../checkpoint/storage.js';
import type { JobStatusSnapshot } from '../metrics/status.js';
import { JobRuntime, type AttemptResult, type RuntimeConfig, type StopMode } from './job-runtime.js';
import { RestartTracker, type RestartStrategy } from './restart-strategy.js';

export interface JobResult {
  outcome: AttemptResult['outcome'];
  /** The checkpoint the job ended with (the final one after a drain or bounded end). */
  lastCheckpoint?: CompletedCheckpoint;
  /** Set when stopped with a savepoint. */
  savepoint?: CompletedCheckpoint;
  restarts: number;
}

export interface JobSetup extends Omit<RuntimeConfig, 'attempt' | 'workDir'> {
  restart: RestartStrategy;
  /** 'latest' (default): the newest checkpoint in storage; 'none'; or a checkpoint/savepoint directory. */
  restoreFrom: string;
  workDir: string | undefined;
  /** The checkpoint directory is a temporary one of this run: delete it at the end. */
  ownsStorageDir?: boolean;
}

export class Job {
  private runtime: JobRuntime | undefined;
  private stopRequest: { mode: StopMode; savepoint?: Promise<CompletedCheckpoint | undefined> } | undefined;
  /** Resolves with the job's result; rejects when it fails beyond its restart strategy. */
  readonly done: Promise<JobResult>;

  /** @internal `pipeline.start()` creates jobs */
  constructor(private readonly setup: JobSetup) {
    this.done = this.runAttempts();
  }

  private async runAttempts(): Promise<JobResult> {
    const s = this.setup;
    const tracker = new RestartTracker(s.restart);
    const ownWorkDir = s.workDir === undefined;
    const workDir = s.workDir ?? (await mkdtemp(join(tmpdir(), `weir-${s.jobName.replace(/[^\w-]/g, '_')}-`)));
    try {
      for (let attempt = 0; ; attempt++) {
        const restored = await this.resolveRestore(attempt > 0);
        const runtime = new JobRuntime({ ...s, workDir, attempt }, restored);
        this.runtime = runtime;
        const started = Date.now();
        if (this.stopRequest !== undefined) void this.forward(runtime, this.stopRequest);
        try {
          const result = await runtime.run();
          const savepoint = await this.stopRequest?.savepoint;
          return { ...result, savepoint: savepoint ?? result.savepoint, restarts: attempt };
        } catch (err) {
          if (this.stopRequest?.mode === 'cancel') return { outcome: 'cancelled', restarts: attempt };
          const delay = tracker.nextDelay(Date.now() - started);
          s.logger.error({ err: String(err), attempt, restartInMs: delay }, delay === undefined ? 'job failed; no restart left' : 'job failed; restarting from the last checkpoint');
          if (delay === undefined) throw err;
          s.metrics.incRestarts();
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    } finally {
      this.runtime = undefined;
      // scratch state of embedded stores; durable state lives in the checkpoints
      if (ownWorkDir) await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
      if (s.ownsStorageDir && s.storage instanceof LocalCheckpointStorage) await rm(s.storage.dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** After a restart, the newest checkpoint wins; before any exists, the configured restore point. */
  private async resolveRestore(restarted: boolean): Promise<CompletedCheckpoint | undefined> {
    const storage = this.setup.storage;
    const latest = restarted ? await storage.latest() : undefined;
    if (latest !== undefined) return latest;
    const spec = this.setup.restoreFrom;
    if (spec === 'none') return undefined;
    if (spec === 'latest') return storage.latest();
    return storage.load(spec);
  }

  private async forward(runtime: JobRuntime, req: NonNullable<Job['stopRequest']>): Promise<void> {
    const sp = runtime.stop(req.mode);
    if (req.mode === 'savepoint') req.savepoint = sp;
    await sp.catch(() => undefined);
  }

  /**
   * Stop the job. `drain`: sources stop, the MAX watermark fires every timer, sinks flush and
   * a final checkpoint commits. `savepoint`: take a savepoint (kept, not retained away), then
   * stop without draining. `cancel`: stop now; nothing more is committed.
   */
  async stop(options: { mode: StopMode } = { mode: 'drain' }): Promise<JobResult> {
    if (this.stopRequest === undefined) {
      this.stopRequest = { mode: options.mode };
      if (this.runtime !== undefined) void this.forward(this.runtime, this.stopRequest);
    }
    return this.done;
  }

  /** Take a checkpoint now (outside the periodic schedule). */
  async checkpoint(): Promise<CompletedCheckpoint | undefined> {
    return this.runtime?.triggerCheckpoint('checkpoint');
  }

  /** Take a savepoint now and keep running. */
  async savepoint(): Promise<CompletedCheckpoint | undefined> {
    return this.runtime?.triggerCheckpoint('savepoint');
  }

  status(): JobStatusSnapshot {
    return this.setup.metrics.status();
  }

  prometheus(): Promise<string> {
    return this.setup.metrics.prometheus();
  }
}

/** Wire SIGTERM and SIGINT to a drain, for services: the process exits after the final commit. */
export function drainOnSignals(job: Job, signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): () => void {
  const handler = () => {
    void job.stop({ mode: 'drain' });
  };
  for (const sig of signals) process.once(sig, handler);
  return () => {
    for (const sig of signals) process.off(sig, handler);
  };
}
