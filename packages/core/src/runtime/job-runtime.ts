/**
 * One attempt of a job: builds the runtime graph, restores it from a checkpoint, runs the
 * sources, coordinates checkpoints, and ends by draining, by a stop request or by failing.
 * A failed attempt is thrown away whole; the job (see job.ts) starts a fresh one.
 */

import { join } from 'node:path';
import type { StepNode } from '../api/graph.js';
import { CHECKPOINT_FORMAT_VERSION, type CheckpointMetadata, type CheckpointStorage, type CompletedCheckpoint } from '../checkpoint/storage.js';
import { stepKindLabel } from '../checkpoint/state-compatibility.js';
import type { Logger } from '../metrics/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import type { StateBackendFactory } from '../state/types.js';
import { AlignmentGroups } from '../time/alignment-groups.js';
import { CheckpointBarrier, type CheckpointKind, type RestoredPart, type RestoredStep } from './barrier.js';
import { keyGroupRangeFor } from '../state/key-groups.js';
import { Mailbox } from './mailbox.js';
import { eachInOrder } from './maybe-async.js';
import type { NodeServices } from './node.js';
import { buildPhysicalPlan, type PhysicalPlan } from './physical-plan.js';
import { SourceTask } from './source-task.js';
import type { PoisonSkip } from './poison-tracker.js';
import type { ErrorPolicy } from '../api/graph.js';
import { switchBroadcasts, switchBroadcastsOnTimer, type SwitchableBroadcast } from '../broadcast/broadcast-value.js';

export interface CheckpointConfig {
  /** Periodic checkpoint interval; 0 disables periodic checkpoints (drain still takes a final one). */
  intervalMs: number;
  timeoutMs: number;
  minPauseMs: number;
  keep: number;
}

export interface RuntimeConfig {
  jobName: string;
  steps: readonly StepNode[];
  storage: CheckpointStorage;
  checkpoints: CheckpointConfig;
  stateBackend: StateBackendFactory;
  workDir: string;
  subtask: number;
  parallelism: number;
  /** Number of key groups (fixed per job, recorded in every checkpoint). */
  maxParallelism: number;
  errorPolicy: ErrorPolicy;
  pollTimeoutMs: number;
  logger: Logger;
  metrics: MetricsRegistry;
  now: () => number;
  attempt: number;
  /** Broadcast values switched at every barrier (or on a timer without periodic checkpoints). */
  broadcasts?: readonly SwitchableBroadcast[];
  /** Records that failed earlier attempts repeatedly: skipped into the dead letters at their source. */
  skips?: readonly PoisonSkip[];
  /** Sinks, operators and sources are open: the attempt processes records from now on. */
  onOpened?: () => void;
}

/**
 * How to stop a job (Flink's stop semantics):
 * - `suspend`: a savepoint without the MAX watermark, then stop. Open windows and timers stay
 *   in state; a restart continues exactly. What a service does on SIGTERM (deploys, rescales).
 * - `drain`: end the job for good: sources stop, the MAX watermark fires every window and
 *   timer, a final checkpoint (marked drained) commits. Restarting from it is refused.
 * - `cancel`: stop now; nothing more is committed (a restart redoes output since the last checkpoint).
 */
export type StopMode = 'suspend' | 'drain' | 'cancel';

/** How a job ended: bounded input read, drained, suspended with a savepoint, or cancelled. */
export type JobOutcome = 'finished' | 'drained' | 'suspended' | 'cancelled';

export interface AttemptResult {
  /** How the attempt ended. */
  outcome: JobOutcome;
  lastCheckpoint?: CompletedCheckpoint;
  savepoint?: CompletedCheckpoint;
}

export class JobRuntime {
  private readonly mailbox = new Mailbox();
  private plan!: PhysicalPlan;
  private sources: SourceTask[] = [];
  private nextCheckpointId = 1;
  private checkpointTimer: ReturnType<typeof setTimeout> | undefined;
  private alignmentTimer: ReturnType<typeof setInterval> | undefined;
  private inFlight: Promise<CompletedCheckpoint | undefined> | undefined;
  private lastCheckpointEnd = 0;
  private lastCompleted: CompletedCheckpoint | undefined;
  private stopping: StopMode | undefined;
  private stopped: Promise<CompletedCheckpoint | undefined> | undefined;
  private opened = false;
  private applyDeferredStop: (() => void) | undefined;
  /** Set once the attempt is ending: no new periodic checkpoint may be scheduled. */
  private closing = false;
  private failure: unknown;
  private failWith!: (err: unknown) => void;
  private readonly failed = new Promise<never>((_, reject) => (this.failWith = reject));
  private readonly alignment = new AlignmentGroups();
  private stopBroadcastTimer: (() => void) | undefined;
  /** Set by a forced cancel: shutdown waits for nothing that may hang. */
  private forced = false;
  /** A checkpoint asked for because a source ended is queued and has not started yet. */
  private endCheckpointQueued = false;

  constructor(
    private readonly config: RuntimeConfig,
    private readonly restored: CompletedCheckpoint | undefined,
    /** A rescale: the savepoints of every instance of the previous run, in subtask order (`restored` is the newest of them). */
    private readonly rescaleSet?: readonly CompletedCheckpoint[],
  ) {
    this.failed.catch(() => undefined);
  }

  /** Run until the sources end (bounded), a stop request completes, or a failure. */
  async run(): Promise<AttemptResult> {
    const c = this.config;
    this.nextCheckpointId = Math.max(await c.storage.highestAttemptedId(), this.restored?.metadata.id ?? 0) + 1;
    const services: NodeServices = {
      logger: c.logger,
      metricsFor: (step) => c.metrics.step(step),
      splitMetricsFor: (step, split) => c.metrics.split(step, split),
      defaultErrorPolicy: c.errorPolicy,
      now: c.now,
    };
    const restoredId = this.restored?.metadata.id;
    this.plan = buildPhysicalPlan(c.steps, {
      services,
      stateBackend: c.stateBackend,
      workDir: (step) => join(c.workDir, `attempt-${c.attempt}`, encodeURIComponent(step)),
      subtask: c.subtask,
      keyGroups: { maxParallelism: c.maxParallelism, range: keyGroupRangeFor(c.subtask, c.parallelism, c.maxParallelism) },
      mailbox: this.mailbox,
      sinkContext: (step) => ({
        stepName: step,
        subtask: c.subtask,
        parallelism: c.parallelism,
        restoredCheckpointId: restoredId,
        nextCheckpointId: this.nextCheckpointId,
        logger: c.logger.child({ step }),
        checkpointIntervalMs: c.checkpoints.intervalMs,
        checkpointTimeoutMs: c.checkpoints.timeoutMs,
      }),
    });
    try {
      // a cancel while opening (a sink connecting to an unreachable cluster) must not wait for it
      const opening = this.open();
      opening.catch(() => undefined);
      await Promise.race([opening, this.failed]);
      this.opened = true;
      c.onOpened?.();
      this.applyDeferredStop?.();
      this.scheduleCheckpoint();
      if (c.checkpoints.intervalMs <= 0) this.stopBroadcastTimer = switchBroadcastsOnTimer(c.broadcasts ?? [], (a) => this.mailbox.submit(a));
      this.startAlignment();
      const loops = this.sources.map((s) => s.start().catch((err) => this.fail(err)));
      await Promise.race([Promise.all(loops), this.failed]);
      if (this.failure !== undefined) throw this.failure;
      return await this.finish();
    } catch (err) {
      this.fail(err);
      throw err;
    } finally {
      await this.shutdown();
    }
  }

  private restoredStep(step: string): RestoredStep | undefined {
    if (this.rescaleSet !== undefined) return this.rescaledStep(step, this.rescaleSet);
    const r = this.restored;
    const snapshot = r?.metadata.steps[step];
    if (r === undefined || snapshot === undefined) return undefined;
    return { snapshot, files: this.config.storage.filesAt(r.path, step) };
  }

  private rescaledStep(step: string, set: readonly CompletedCheckpoint[]): RestoredStep | undefined {
    const parts: RestoredPart[] = [];
    set.forEach((cp, i) => {
      const snapshot = cp.metadata.steps[step];
      if (snapshot === undefined) return;
      parts.push({ snapshot, files: this.config.storage.filesAt(cp.path, step), checkpointId: cp.metadata.id, subtask: cp.metadata.subtask ?? i });
    });
    const first = parts[0];
    if (first === undefined) return undefined;
    return { snapshot: first.snapshot, files: first.files, rescale: { parallelism: set.length, parts } };
  }

  /** Open sinks first (they re-commit restored committables), then operators, then sources. */
  private async open(): Promise<void> {
    const c = this.config;
    for (const node of [...this.plan.nodes].reverse()) await node.open(this.restoredStep(node.name));
    for (const step of c.steps) {
      if (step.kind !== 'source') continue;
      const task = new SourceTask({
        name: step.name,
        source: step.source,
        watermarks: step.watermarks,
        downstream: this.plan.sourceOutputs.get(step.name) ?? [],
        mailbox: this.mailbox,
        metrics: c.metrics,
        logger: c.logger.child({ step: step.name }),
        subtask: c.subtask,
        parallelism: c.parallelism,
        now: c.now,
        pollTimeoutMs: c.pollTimeoutMs,
        skips: c.skips,
        deadLetters: this.plan.sourceDeadLetters.get(step.name),
        onEnded: () => this.onSourceEnded(),
      });
      this.sources.push(task);
      await task.open(this.restoredStep(step.name), !this.restoredDrained());
    }
  }

  /** Restored from a drained final checkpoint (`allowRestoreAfterDrain`): its ended sources read on. */
  private restoredDrained(): boolean {
    return (this.rescaleSet ?? (this.restored ? [this.restored] : [])).some((cp) => cp.metadata.drained === true);
  }

  /** A source that ends by itself when its upstream writers ended is still reading. */
  private upstreamSourcesReading(): boolean {
    return this.sources.some((s) => s.endsWithUpstream && !s.hasEnded);
  }

  /**
   * A source ended while a source fed by upstream instances still reads: checkpoint now (also
   * without periodic checkpoints), so what the sinks wrote at the end of their input (an
   * exchange's end markers) commits and the other instances can end too.
   */
  private onSourceEnded(): void {
    if (this.closing || this.failure !== undefined || this.stopping === 'suspend' || this.stopping === 'cancel') return;
    if (this.endCheckpointQueued || !this.upstreamSourcesReading()) return;
    this.endCheckpointQueued = true;
    const previous = this.inFlight ?? Promise.resolve(undefined);
    const run = previous
      .catch(() => undefined)
      .then(() => {
        // an end after this point needs a later barrier: let it queue another checkpoint
        this.endCheckpointQueued = false;
        return this.checkpoint('checkpoint');
      });
    this.inFlight = run;
    run.catch((err: unknown) => {
      this.config.logger.warn({ err: String(err) }, 'checkpoint after a source ended failed');
      // periodic checkpoints retry by themselves; without them, try again shortly
      if (this.config.checkpoints.intervalMs <= 0) setTimeout(() => this.onSourceEnded(), 1000).unref?.();
    });
  }

  private fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    this.mailbox.fail(err);
    for (const s of this.sources) s.wakeup();
    this.failWith(err);
  }

  // ---- checkpoints -----------------------------------------------------------------

  private scheduleCheckpoint(): void {
    const cfg = this.config.checkpoints;
    if (cfg.intervalMs <= 0 || this.failure !== undefined || this.closing) return;
    // a drain goes on checkpointing while sources fed by other instances read to their end
    if (this.stopping !== undefined && !(this.stopping === 'drain' && this.upstreamSourcesReading())) return;
    const sinceEnd = this.config.now() - this.lastCheckpointEnd;
    const delay = Math.max(cfg.intervalMs, cfg.minPauseMs - sinceEnd);
    this.checkpointTimer = setTimeout(() => {
      this.checkpointTimer = undefined;
      this.triggerCheckpoint('checkpoint')
        .catch((err) => this.config.logger.warn({ err: String(err) }, 'checkpoint failed'))
        .finally(() => this.scheduleCheckpoint());
    }, delay);
  }

  /**
   * Take a checkpoint or savepoint: barriers are injected at every source in one mailbox
   * action (so they form a consistent cut), operators snapshot as the barrier passes and sinks
   * prepare their commits; state is persisted asynchronously; then the metadata is published
   * and the sinks commit.
   */
  triggerCheckpoint(kind: CheckpointKind, drained = false): Promise<CompletedCheckpoint | undefined> {
    const previous = this.inFlight ?? Promise.resolve(undefined);
    const run = previous.catch(() => undefined).then(() => this.checkpoint(kind, drained));
    this.inFlight = run;
    return run;
  }

  private async checkpoint(kind: CheckpointKind, drained = false): Promise<CompletedCheckpoint | undefined> {
    if (this.failure !== undefined) return undefined;
    const c = this.config;
    const id = this.nextCheckpointId++;
    const barrier = new CheckpointBarrier(id, kind, (step) => c.storage.filesFor(id, kind, step));
    const t0 = performance.now();
    for (const s of this.sources) s.wakeup();
    let alignmentMs = 0;
    let broadcasts: Record<string, number> = {};
    try {
      await this.mailbox.submit(() => {
        alignmentMs = performance.now() - t0;
        // new broadcast versions take effect exactly at this cut, on every split and step
        broadcasts = switchBroadcasts(c.broadcasts ?? []);
        return eachInOrder(this.sources, (s) => s.injectBarrier(barrier));
      });
      // steps whose inputs all ended cannot receive the barrier: complete them in order
      await this.mailbox.submit(() => eachInOrder(this.plan.nodes, (n) => n.completeBarrierIfAligned(barrier)));
      await withTimeout(barrier.persisted(), c.checkpoints.timeoutMs, `checkpoint ${id} timed out after ${c.checkpoints.timeoutMs} ms`);
      const metadata: CheckpointMetadata = {
        formatVersion: CHECKPOINT_FORMAT_VERSION,
        id,
        kind,
        jobName: c.jobName,
        createdAtMs: c.now(),
        subtask: c.subtask,
        parallelism: c.parallelism,
        maxParallelism: c.maxParallelism,
        steps: Object.fromEntries(barrier.steps),
        stepKinds: this.stepKinds(barrier),
        ...(drained ? { drained } : {}),
        ...(c.broadcasts?.length ? { broadcasts } : {}),
      };
      const completed = await c.storage.publish(metadata);
      if (kind === 'checkpoint') {
        this.lastCompleted = completed;
        await c.storage.retain(c.checkpoints.keep);
      }
      const durationMs = performance.now() - t0;
      c.metrics.recordCheckpoint({ id, durationMs, sizeBytes: completed.sizeBytes, alignmentMs, ok: true });
      c.logger.debug({ checkpoint: id, kind, durationMs: Math.round(durationMs), sizeBytes: completed.sizeBytes }, 'checkpoint completed');
      this.lastCheckpointEnd = c.now();
      await this.commit(completed);
      return completed;
    } catch (err) {
      c.metrics.recordCheckpoint({ id, durationMs: performance.now() - t0, sizeBytes: 0, alignmentMs, ok: false });
      this.lastCheckpointEnd = c.now();
      if (this.failure === undefined) await c.storage.discard(id, kind).catch(() => undefined);
      throw err;
    }
  }

  private stepKinds(barrier: CheckpointBarrier): Record<string, string> {
    const kinds: Record<string, string> = {};
    for (const step of this.config.steps) if (barrier.steps.has(step.name)) kinds[step.name] = stepKindLabel(step);
    return kinds;
  }

  /** Second phase: publish sink committables and tell sources (e.g. to commit Kafka offsets). */
  private async commit(completed: CompletedCheckpoint): Promise<void> {
    const { id, steps } = completed.metadata;
    try {
      for (const sink of this.plan.sinks) await sink.commit(id, steps[sink.name]?.committables ?? []);
    } catch (err) {
      // the checkpoint is durable: a restart re-commits its committables
      this.fail(err);
      throw err;
    }
    for (const s of this.sources) {
      await s.notifyCheckpointComplete(id, steps[s.name]?.operator).catch((err) => this.config.logger.warn({ source: s.name, err: String(err) }, 'checkpoint notification failed'));
    }
  }

  // ---- alignment -------------------------------------------------------------------

  private startAlignment(): void {
    const aligned = this.config.steps.filter((s) => s.kind === 'source' && s.watermarks?.alignment !== undefined);
    if (aligned.length === 0) return;
    const interval = Math.min(...aligned.map((s) => (s.kind === 'source' ? (s.watermarks?.alignment?.updateIntervalMs ?? 1000) : 1000)));
    this.alignmentTimer = setInterval(() => this.updateAlignment(), interval);
    this.alignmentTimer.unref?.();
  }

  private updateAlignment(): void {
    const groups = new Set<string>();
    for (const step of this.config.steps) {
      if (step.kind !== 'source' || step.watermarks?.alignment === undefined) continue;
      const { group, maxDriftMs } = step.watermarks.alignment;
      const task = this.sources.find((t) => t.name === step.name);
      const report = task?.alignmentReport();
      if (report !== undefined) this.alignment.get(group, maxDriftMs).report(step.name, report);
      groups.add(group);
    }
    for (const align of this.alignment.all()) {
      const decision = align.decide();
      for (const task of this.sources) {
        const pause = decision.pause.filter((r) => r.sourceId === task.name).map((r) => r.splitId);
        const resume = decision.resume.filter((r) => r.sourceId === task.name).map((r) => r.splitId);
        if (pause.length + resume.length > 0) task.applyAlignment(pause, resume);
      }
    }
  }

  // ---- stopping ---------------------------------------------------------------------

  /**
   * Request a stop; `run()` resolves once it is done. A stop requested before the sources run
   * applies once they are open. A cancel does not wait for anything in flight: the attempt
   * fails with {@link JobCancelledError} at once, which is safe because uncommitted output is
   * aborted on the next start.
   */
  stop(mode: StopMode): Promise<CompletedCheckpoint | undefined> {
    if (mode === 'cancel') {
      this.cancel('cancel requested');
      return this.stopped ?? Promise.resolve(undefined);
    }
    if (this.stopping !== undefined) return this.stopped ?? Promise.resolve(undefined);
    this.stopping = mode;
    if (this.checkpointTimer !== undefined && !(mode === 'drain' && this.upstreamSourcesReading())) clearTimeout(this.checkpointTimer);
    if (!this.opened) {
      this.stopped = new Promise((resolve, reject) => (this.applyDeferredStop = () => void this.applyStop(mode).then(resolve, reject)));
      return this.stopped;
    }
    this.stopped = this.applyStop(mode);
    return this.stopped;
  }

  /** Stop now, in any phase (opening, a hung sink, a checkpoint in flight). */
  cancel(reason: string): void {
    this.stopping = 'cancel';
    this.forced = true;
    if (this.checkpointTimer !== undefined) clearTimeout(this.checkpointTimer);
    this.fail(new JobCancelledError(reason));
  }

  private async applyStop(mode: StopMode): Promise<CompletedCheckpoint | undefined> {
    let savepoint: CompletedCheckpoint | undefined;
    if (mode === 'suspend') savepoint = await this.suspendSavepoint();
    if (mode !== 'drain') {
      await Promise.all(this.sources.map((s) => s.stopReading()));
      return savepoint;
    }
    // drain: the sources that can be stopped stop and end now (their MAX watermark reaches the
    // sinks); sources fed by upstream instances read on until they end by themselves
    const stoppable = this.sources.filter((s) => !s.endsWithUpstream);
    await Promise.all(stoppable.map((s) => s.stopReading()));
    await this.mailbox.submit(() => eachInOrder(stoppable, (s) => s.end()));
    return undefined;
  }

  /**
   * A suspend's savepoint, retried while it fails for a passing reason (a sink's cluster
   * unreachable); the job's grace period ends the retries with a cancel.
   */
  private async suspendSavepoint(): Promise<CompletedCheckpoint | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.triggerCheckpoint('savepoint');
      } catch (err) {
        if (this.failure !== undefined) throw err;
        this.config.logger.warn({ err: String(err), attempt }, 'suspend: savepoint failed; retrying until the stop grace period ends');
        await new Promise((r) => setTimeout(r, Math.min(2000, 200 * attempt)));
        if (this.failure !== undefined) throw this.failure;
      }
    }
  }

  private async finish(): Promise<AttemptResult> {
    const mode = this.stopping;
    if (mode === 'cancel' || mode === 'suspend') {
      return { outcome: mode === 'cancel' ? 'cancelled' : 'suspended', lastCheckpoint: this.lastCompleted };
    }
    // bounded end or drain: end every source (MAX watermark fires all timers), then a final checkpoint commits
    this.closing = true;
    if (this.checkpointTimer !== undefined) clearTimeout(this.checkpointTimer);
    await this.mailbox.submit(() => eachInOrder(this.sources, (s) => s.end()));
    const final = await this.triggerCheckpoint('checkpoint', mode === 'drain');
    // a checkpoint whose commit failed meanwhile (this one or the one before it) must restart the
    // job, which re-commits it: never report success with committables left unpublished
    if (this.failure !== undefined) throw this.failure;
    return { outcome: mode === 'drain' ? 'drained' : 'finished', lastCheckpoint: final ?? this.lastCompleted };
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    if (this.checkpointTimer !== undefined) clearTimeout(this.checkpointTimer);
    if (this.alignmentTimer !== undefined) clearInterval(this.alignmentTimer);
    this.stopBroadcastTimer?.();
    const log = this.config.logger;
    // after a forced cancel nothing may hang the stop: each step gets a bounded wait
    const settle = (p: Promise<unknown> | undefined, what: string) => (this.forced ? boundedWait(p, FORCED_CLOSE_MS, () => log.warn({ what }, 'did not finish after cancel; abandoned')) : p?.catch(() => undefined));
    await settle(this.inFlight?.catch(() => undefined), 'checkpoint in flight');
    this.mailbox.close();
    for (const s of this.sources) await settle(s.stopReading().catch(() => undefined), `source ${s.name}`);
    for (const s of this.sources) await settle(s.close().catch((err) => log.warn({ step: s.name, err: String(err) }, 'source close failed')), `source ${s.name} close`);
    for (const n of this.plan?.nodes ?? []) {
      await settle(Promise.resolve(n.close()).catch((err) => log.warn({ step: n.name, err: String(err) }, 'close failed')), `step ${n.name} close`);
    }
  }

  /** The last completed checkpoint of this attempt. */
  get latestCheckpoint(): CompletedCheckpoint | undefined {
    return this.lastCompleted;
  }
}

/** How long each part of a forced shutdown may take before it is abandoned. */
const FORCED_CLOSE_MS = 2000;

/** The attempt was cancelled (a cancel, or a suspend/drain whose grace period ran out). */
export class JobCancelledError extends Error {}

async function boundedWait(p: Promise<unknown> | undefined, ms: number, onTimeout: () => void): Promise<void> {
  if (p === undefined) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      onTimeout();
      resolve();
    }, ms);
  });
  await Promise.race([p.catch(() => undefined), timeout]);
  clearTimeout(timer);
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  if (!(ms > 0) || !Number.isFinite(ms)) return p;
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(message)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
