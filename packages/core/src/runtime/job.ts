/**
 * A running job: attempts with restarts from the newest checkpoint, and the handle users
 * stop, checkpoint or inspect it with. Every start (the first, an in-process restart, or a
 * new process) chooses its restore point from the job's storage (restore-choice.ts).
 */

import { rm } from 'node:fs/promises';
import { chooseRestore, RestoreRefusedError } from '../checkpoint/restore-choice.js';
import { checkMaxParallelism, checkSavepointSet, checkSingleRestore } from '../checkpoint/savepoint-set.js';
import { checkStateCompatibility, StateCompatibilityError } from '../checkpoint/state-compatibility.js';
import { CheckpointFormatError, LocalCheckpointStorage, type CompletedCheckpoint } from '../checkpoint/storage.js';
import type { JobStatusSnapshot, RestoredFrom } from '../metrics/status.js';
import { JobCancelledError, JobRuntime, type JobOutcome, type RuntimeConfig, type StopMode } from './job-runtime.js';
import { PoisonTracker } from './poison-tracker.js';
import { RestartTracker, type RestartStrategy } from './restart-strategy.js';
import { createScratchDir, scratchPrefix } from './scratch-dirs.js';
import { OptionsError } from '../options/validate.js';

export interface JobResult {
  outcome: JobOutcome;
  /** The checkpoint the job ended with (the final one after a drain or bounded end). */
  lastCheckpoint?: CompletedCheckpoint;
  /** Set when stopped with a suspend. */
  savepoint?: CompletedCheckpoint;
  restarts: number;
}

/** @internal What `Pipeline.start()` hands the job. */
export interface JobSetup extends Omit<RuntimeConfig, 'attempt' | 'workDir' | 'skips'> {
  restart: RestartStrategy;
  /** 'latest' (default) or 'none': the newest point in storage; or a checkpoint/savepoint directory that seeds a fresh storage. */
  restoreFrom: string | readonly string[];
  workDir: string | undefined;
  /** The checkpoint directory is a temporary one of this run: delete it at the end. */
  ownsStorageDir?: boolean;
  allowNonRestoredState: boolean;
  allowRestoreAfterDrain: boolean;
  /** A suspend or drain not done after this long ends as a cancel. */
  stopGracePeriodMs: number;
  /** A failure repeating at the same source position this many times skips (or, with policy 'fail', ends on) that record. */
  skipRecordAfterFailures: number;
  signal?: AbortSignal;
}

/** Errors a restart cannot fix: the job ends at once instead of restarting forever. */
const PERMANENT = [RestoreRefusedError, StateCompatibilityError, CheckpointFormatError, OptionsError];

/** After a forced cancel, how long the job waits for the attempt before giving up on it. */
const ABANDON_AFTER_MS = 10_000;

export class Job {
  private runtime: JobRuntime | undefined;
  private stopRequest: { mode: StopMode; savepoint?: Promise<CompletedCheckpoint | undefined> } | undefined;
  private wakeBackoff: (() => void) | undefined;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private abandon: ((result: JobResult) => void) | undefined;
  private attempt = 0;
  /** Resolves with the job's result; rejects when it fails beyond its restart strategy. */
  readonly done: Promise<JobResult>;

  /** @internal Use `Pipeline.start()`. */
  constructor(private readonly setup: JobSetup) {
    const abandoned = new Promise<JobResult>((resolve) => (this.abandon = resolve));
    this.done = Promise.race([this.runAttempts(), abandoned]).finally(() => clearTimeout(this.graceTimer));
    if (setup.signal !== undefined) {
      const onAbort = () => void this.stop({ mode: 'suspend' }).catch(() => undefined);
      if (setup.signal.aborted) onAbort();
      else setup.signal.addEventListener('abort', onAbort, { once: true });
    }
  }

  private async runAttempts(): Promise<JobResult> {
    const s = this.setup;
    const log = s.logger;
    const tracker = new RestartTracker(s.restart);
    const poison = new PoisonTracker(s.skipRecordAfterFailures);
    const ownWorkDir = s.workDir === undefined;
    const workDir = s.workDir ?? createScratchDir(scratchPrefix('', s.jobName), (dir) => log.info({ dir }, 'removed the scratch directory of a dead process of this job'));
    s.metrics.setState('starting');
    try {
      for (let attempt = 0; ; attempt++) {
        this.attempt = attempt;
        let started = Date.now();
        try {
          const restored = await this.resolveRestore(attempt);
          // 'running' (readiness) only once sinks and sources are open, not while a sink still connects
          const onOpened = () => this.stopRequest === undefined && s.metrics.setState('running');
          const runtime = new JobRuntime({ ...s, workDir, attempt, skips: poison.skips(), onOpened }, restored.checkpoint, restored.rescaleSet);
          this.runtime = runtime;
          started = Date.now();
          if (this.stopRequest !== undefined) void this.forward(runtime, this.stopRequest);
          const result = await runtime.run();
          const savepoint = await this.stopRequest?.savepoint?.catch(() => undefined);
          const end = { ...result, savepoint: savepoint ?? result.savepoint, restarts: attempt };
          log.info({ outcome: end.outcome, checkpoint: end.lastCheckpoint?.metadata.id, savepoint: end.savepoint?.path, restarts: attempt }, 'job stopped');
          s.metrics.setState(end.outcome);
          return end;
        } catch (err) {
          if (PERMANENT.some((E) => err instanceof E)) throw err;
          if (this.stopRequest !== undefined) return this.endWithoutRestart(err, attempt);
          const verdict = poison.onFailure(err, s.errorPolicy);
          if (verdict.giveUp) {
            log.error({ err: String(err), ...verdict.at }, `job failed ${verdict.count} times at the same source position with errorPolicy 'fail': giving up instead of restarting forever`);
            throw err;
          }
          const delay = tracker.nextDelay(Date.now() - started);
          if (verdict.skip) log.error({ err: String(err), ...verdict.at, failures: verdict.count }, 'the same record failed the job repeatedly: the next attempt sends it to the dead letters and skips it');
          log.error({ err: String(err), step: stepOf(err), attempt, restartInMs: delay }, delay === undefined ? 'job failed; no restart left' : 'job failed; restarting from the newest checkpoint');
          if (delay === undefined) throw err;
          s.metrics.incRestarts();
          s.metrics.setState('restarting');
          await this.backoff(delay);
          if (this.stopRequest !== undefined) return this.endWithoutRestart(err, attempt);
        }
      }
    } catch (err) {
      s.metrics.setState('failed');
      throw err;
    } finally {
      this.runtime = undefined;
      // scratch state of embedded stores; durable state lives in the checkpoints
      if (ownWorkDir) await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
      if (s.ownsStorageDir && s.storage instanceof LocalCheckpointStorage) await rm(s.storage.dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** A stop came while the attempt failed or the job waited to restart: end now; the newest checkpoint stays the restore point. */
  private endWithoutRestart(err: unknown, attempt: number): JobResult {
    const s = this.setup;
    const mode = this.stopRequest?.mode;
    if (!(err instanceof JobCancelledError)) {
      s.logger.warn({ mode, err: String(err) }, 'stop requested while the job was failing or waiting to restart: ended without a new savepoint; the next start restores the newest checkpoint');
    }
    s.logger.info({ outcome: 'cancelled', requested: mode, restarts: attempt }, 'job stopped');
    s.metrics.setState('cancelled');
    return { outcome: 'cancelled', restarts: attempt };
  }

  /** Choose the restore point from storage, check it against the pipeline, and say what was chosen. */
  private async resolveRestore(attempt: number): Promise<{ checkpoint: CompletedCheckpoint | undefined; rescaleSet?: CompletedCheckpoint[] }> {
    const s = this.setup;
    const spec = s.restoreFrom;
    const storageNewest = await s.storage.latest();
    let chosen: CompletedCheckpoint | undefined;
    let rescaleSet: CompletedCheckpoint[] | undefined;
    let reason: string;
    if (typeof spec !== 'string') {
      const set = checkSavepointSet(await Promise.all(spec.map((p) => s.storage.load(p))), s.jobName);
      const newestOfSet = set.reduce((a, b) => (b.metadata.id > a.metadata.id ? b : a));
      // after the rescale this instance checkpoints on its own: its newer checkpoints win
      const storageIsNewer = storageNewest !== undefined && !set.some((c) => c.path === storageNewest.path) && storageNewest.metadata.id > newestOfSet.metadata.id;
      const choice = chooseRestore({ storageNewest: storageIsNewer ? storageNewest : undefined, configured: storageIsNewer ? 'latest' : newestOfSet, allowRestoreAfterDrain: s.allowRestoreAfterDrain });
      chosen = choice.checkpoint;
      if (storageIsNewer) reason = choice.reason + ' (newer than the configured savepoint set)';
      else {
        for (const cp of set) chooseRestore({ storageNewest: undefined, configured: cp, allowRestoreAfterDrain: s.allowRestoreAfterDrain });
        const own = set.length === s.parallelism ? set[s.subtask] : undefined;
        if (own !== undefined) chosen = own;
        else rescaleSet = set;
        reason = `the configured savepoint set of ${set.length} instance${set.length > 1 ? 's' : ''}${rescaleSet ? `, rescaled to ${s.parallelism}` : ''}`;
      }
    } else {
      const configured = spec === 'latest' || spec === 'none' ? spec : await s.storage.load(spec);
      const choice = chooseRestore({ storageNewest, configured, allowRestoreAfterDrain: s.allowRestoreAfterDrain });
      chosen = choice.checkpoint;
      reason = choice.reason;
      if (chosen !== undefined && checkSingleRestore(chosen, s.subtask, s.parallelism) === 'rescale') {
        rescaleSet = [chosen];
        reason += `, rescaled from 1 instance to ${s.parallelism}`;
      }
    }
    for (const cp of rescaleSet ?? (chosen ? [chosen] : [])) checkMaxParallelism(cp, s.maxParallelism);
    let info: RestoredFrom | null = null;
    if (chosen === undefined) {
      s.logger.info({ attempt }, 'started fresh: no checkpoint to restore');
    } else {
      for (const cp of rescaleSet ?? [chosen]) {
        const { dropped } = checkStateCompatibility(cp, s.steps, s.allowNonRestoredState);
        if (dropped.length > 0) s.logger.warn({ steps: dropped }, 'allowNonRestoredState: the state of steps the pipeline no longer has was dropped');
      }
      info = { id: chosen.metadata.id, kind: chosen.metadata.kind, path: chosen.path, reason };
      s.logger.info({ attempt, checkpoint: info.id, kind: info.kind, path: info.path, reason: info.reason }, `restored ${info.kind} ${info.id}`);
    }
    s.metrics.setRestoredFrom(info);
    return { checkpoint: chosen, ...(rescaleSet ? { rescaleSet } : {}) };
  }

  /** The restart delay; a stop request ends it early. */
  private backoff(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeBackoff = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (this.wakeBackoff = undefined));
  }

  private async forward(runtime: JobRuntime, req: NonNullable<Job['stopRequest']>): Promise<void> {
    const sp = runtime.stop(req.mode);
    if (req.mode === 'suspend') req.savepoint = sp;
    await sp.catch(() => undefined);
  }

  /**
   * Stop the job; honoured in every phase (starting, running, restarting, a sink that cannot
   * reach its cluster). `suspend` (the default): savepoint, then stop; a restart continues
   * exactly. `drain`: end the job for good (fires every window with the MAX watermark; a
   * restart from its checkpoint is refused). `cancel`: stop now. A suspend or drain not done
   * within the grace period ends as a cancel, which the log says.
   */
  async stop(options: { mode: StopMode } = { mode: 'suspend' }): Promise<JobResult> {
    const s = this.setup;
    if (this.stopRequest === undefined) {
      this.stopRequest = { mode: options.mode };
      s.logger.info({ mode: options.mode }, 'stop requested');
      s.metrics.setState('stopping');
      if (this.runtime !== undefined) void this.forward(this.runtime, this.stopRequest);
      this.wakeBackoff?.();
      if (options.mode !== 'cancel') this.armGracePeriod(options.mode);
    } else if (options.mode === 'cancel' && this.stopRequest.mode !== 'cancel') {
      s.logger.info({ mode: 'cancel', was: this.stopRequest.mode }, 'stop requested');
      this.forceCancel('cancel requested during a stop');
    }
    return this.done;
  }

  private armGracePeriod(mode: StopMode): void {
    const ms = this.setup.stopGracePeriodMs;
    this.graceTimer = setTimeout(() => {
      this.setup.logger.warn({ mode, gracePeriodMs: ms }, `${mode} did not finish within the grace period: cancelling (the next start restores the newest checkpoint)`);
      this.forceCancel(`${mode} did not finish within ${ms} ms`);
    }, ms);
    this.graceTimer.unref?.();
  }

  private forceCancel(reason: string): void {
    this.runtime?.cancel(reason);
    // an attempt stuck beyond cancellation (a close that never returns) must not hold the process
    const t = setTimeout(() => {
      this.setup.logger.error({ reason }, 'the job did not stop after a cancel: abandoning it');
      this.abandon?.({ outcome: 'cancelled', restarts: this.attempt });
    }, ABANDON_AFTER_MS);
    t.unref?.();
    void this.done.finally(() => clearTimeout(t));
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

  /** `await using job = pipeline.start()`: suspends the job when the scope ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop({ mode: 'suspend' }).catch(() => undefined);
  }
}

function stepOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'step' in err && typeof err.step === 'string' ? err.step : undefined;
}

export interface StopOnSignalsOptions {
  /** Default 'suspend': what Kubernetes' SIGTERM on a deploy, rescale or node drain needs. */
  mode?: StopMode;
  signals?: NodeJS.Signals[];
}

/**
 * Wire SIGTERM and SIGINT to a stop, for services. The default is a suspend (savepoint, no
 * MAX watermark), so a restart after a deploy continues exactly; pass `mode: 'drain'` only to
 * end the job for good. Returns a function that removes the handlers.
 */
export function stopOnSignals(job: Job, options: StopOnSignalsOptions = {}): () => void {
  const mode = options.mode ?? 'suspend';
  const handler = () => {
    void job.stop({ mode }).catch(() => undefined);
  };
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  for (const sig of signals) process.once(sig, handler);
  return () => {
    for (const sig of signals) process.off(sig, handler);
  };
}
