/**
 * One attempt of a job: builds the runtime graph, restores it from a checkpoint, runs the
 * sources, coordinates checkpoints, and ends by draining, by a stop request or by failing.
 * A failed attempt is thrown away whole; the job (see job.ts) starts a fresh one.
 */

import { join } from 'node:path';
import type { StepNode } from '../api/graph.js';
import type { CheckpointMetadata, CheckpointStorage, CompletedCheckpoint } from '../checkpoint/storage.js';
import type { Logger } from '../metrics/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import type { StateBackendFactory } from '../state/types.js';
import { AlignmentGroups } from '../time/alignment-groups.js';
import { CheckpointBarrier, type CheckpointKind, type RestoredStep } from './barrier.js';
import { Mailbox } from './mailbox.js';
import { eachInOrder } from './maybe-async.js';
import type { NodeServices } from './node.js';
import { buildPhysicalPlan, type PhysicalPlan } from './physical-plan.js';
import { SourceTask } from './source-task.js';
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
  errorPolicy: ErrorPolicy;
  pollTimeoutMs: number;
  logger: Logger;
  metrics: MetricsRegistry;
  now: () => number;
  attempt: number;
  /** Broadcast values switched at every barrier (or on a timer without periodic checkpoints). */
  broadcasts?: readonly SwitchableBroadcast[];
}

export type StopMode = 'drain' | 'savepoint' | 'cancel';

export interface AttemptResult {
  /** How the attempt ended. */
  outcome: 'finished' | 'drained' | 'savepoint' | 'cancelled';
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

  constructor(
    private readonly config: RuntimeConfig,
    private readonly restored: CompletedCheckpoint | undefined,
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
      defaultErrorPolicy: c.errorPolicy,
      now: c.now,
    };
    const restoredId = this.restored?.metadata.id;
    this.plan = buildPhysicalPlan(c.steps, {
      services,
      stateBackend: c.stateBackend,
      workDir: (step) => join(c.workDir, `attempt-${c.attempt}`, encodeURIComponent(step)),
      subtask: c.subtask,
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
      await this.open();
      this.opened = true;
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
    const r = this.restored;
    const snapshot = r?.metadata.steps[step];
    if (r === undefined || snapshot === undefined) return undefined;
    return { snapshot, files: this.config.storage.filesAt(r.path, step) };
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
      });
      this.sources.push(task);
      await task.open(this.restoredStep(step.name));
    }
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
    if (cfg.intervalMs <= 0 || this.stopping !== undefined || this.failure !== undefined || this.closing) return;
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
  triggerCheckpoint(kind: CheckpointKind): Promise<CompletedCheckpoint | undefined> {
    const previous = this.inFlight ?? Promise.resolve(undefined);
    const run = previous.catch(() => undefined).then(() => this.checkpoint(kind));
    this.inFlight = run;
    return run;
  }

  private async checkpoint(kind: CheckpointKind): Promise<CompletedCheckpoint | undefined> {
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
        formatVersion: 1,
        id,
        kind,
        jobName: c.jobName,
        createdAtMs: c.now(),
        steps: Object.fromEntries(barrier.steps),
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

  /** Request a stop; `run()` resolves once it is done. A stop requested before the sources run applies once they are open. */
  stop(mode: StopMode): Promise<CompletedCheckpoint | undefined> {
    if (this.stopping !== undefined) return this.stopped ?? Promise.resolve(undefined);
    this.stopping = mode;
    if (this.checkpointTimer !== undefined) clearTimeout(this.checkpointTimer);
    if (!this.opened) {
      this.stopped = new Promise((resolve, reject) => (this.applyDeferredStop = () => void this.applyStop(mode).then(resolve, reject)));
      return this.stopped;
    }
    this.stopped = this.applyStop(mode);
    return this.stopped;
  }

  private async applyStop(mode: StopMode): Promise<CompletedCheckpoint | undefined> {
    let savepoint: CompletedCheckpoint | undefined;
    if (mode === 'savepoint') savepoint = await this.triggerCheckpoint('savepoint');
    await Promise.all(this.sources.map((s) => s.stopReading()));
    return savepoint;
  }

  private async finish(): Promise<AttemptResult> {
    const mode = this.stopping;
    if (mode === 'cancel' || mode === 'savepoint') {
      return { outcome: mode === 'cancel' ? 'cancelled' : 'savepoint', lastCheckpoint: this.lastCompleted };
    }
    // bounded end or drain: end every source (MAX watermark fires all timers), then a final checkpoint commits
    this.closing = true;
    if (this.checkpointTimer !== undefined) clearTimeout(this.checkpointTimer);
    await this.mailbox.submit(() => eachInOrder(this.sources, (s) => s.end()));
    const final = await this.triggerCheckpoint('checkpoint');
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
    await this.inFlight?.catch(() => undefined);
    this.mailbox.close();
    for (const s of this.sources) await s.stopReading().catch(() => undefined);
    for (const s of this.sources) await s.close().catch((err) => this.config.logger.warn({ err: String(err) }, 'source close failed'));
    for (const n of this.plan?.nodes ?? []) await Promise.resolve(n.close()).catch((err) => this.config.logger.warn({ step: n.name, err: String(err) }, 'close failed'));
  }

  /** The last completed checkpoint of this attempt. */
  get latestCheckpoint(): CompletedCheckpoint | undefined {
    return this.lastCompleted;
  }
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
