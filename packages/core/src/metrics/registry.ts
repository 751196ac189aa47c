import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { metricsRegistryOptionsSchema } from '../options/core-schemas.js';
import { validateOptions } from '../options/validate.js';
import type { Metric } from 'prom-client';
import { MIN_WATERMARK } from '../time/types.js';
import { registerStateCollectors } from './collectors.js';
import type { CheckpointRecord, CheckpointStats, JobState, JobStatusSnapshot, RestoredFrom, SplitStatus, StepStatus } from './status.js';
import { SplitMetrics, StepMetrics } from './step-metrics.js';

// The registry hands these out; importing them from here is as good as from step-metrics.
export { SplitMetrics, StepMetrics };

/** Default buckets of the checkpoint duration histogram, in ms. */
export const DEFAULT_CHECKPOINT_DURATION_BUCKETS_MS: readonly number[] = [10, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000];

export interface MetricsRegistryOptions {
  /** Labels added to every series of this registry, e.g. `{ job: 'orders' }`. */
  defaultLabels?: Record<string, string>;
  /** How many recent checkpoint attempts the status snapshot keeps (default 10). */
  recentCheckpoints?: number;
  /** Buckets of `weir_checkpoint_duration_histogram_ms`. */
  checkpointDurationBucketsMs?: readonly number[];
  /** Wall clock for snapshot and checkpoint timestamps (injectable in tests). */
  now?: () => number;
}

const NS_PER_SECOND = 1e9;
const watermarkOrNull = (wm: number): number | null => (wm === MIN_WATERMARK ? null : wm);

/**
 * The metrics of one job, on its own prom-client `Registry` (never the global default).
 *
 * Steps and splits expose plain mutable objects ({@link StepMetrics}, {@link SplitMetrics})
 * that the executor updates without calling prom-client; their series are computed at
 * scrape time. Checkpoints and restarts are rare and recorded directly.
 */
export class MetricsRegistry {
  /** The underlying prom-client registry (for HTTP handlers or merging). */
  readonly prom = new Registry();
  private readonly steps = new Map<string, StepMetrics>();
  private readonly splits = new Map<string, Map<string, SplitMetrics>>();
  private readonly recent: CheckpointRecord[] = [];
  private readonly recentLimit: number;
  private readonly now: () => number;
  private lastCompleted: CheckpointRecord | null = null;
  private completed = 0;
  private failed = 0;
  private restarts = 0;
  private state: JobState = 'starting';
  private restoredFrom: RestoredFrom | null | undefined;

  private readonly checkpointDuration: Gauge;
  private readonly checkpointSize: Gauge;
  private readonly checkpointAlignment: Gauge;
  private readonly checkpointDurations: Histogram;
  private readonly checkpointsTotal: Counter<'result'>;
  private readonly restartsTotal: Counter;

  constructor(options: MetricsRegistryOptions = {}) {
    validateOptions(metricsRegistryOptionsSchema, options, 'MetricsRegistry options');
    this.recentLimit = Math.max(1, options.recentCheckpoints ?? 10);
    this.now = options.now ?? Date.now;
    if (options.defaultLabels !== undefined) this.prom.setDefaultLabels(options.defaultLabels);
    const registers = [this.prom];

    registerStateCollectors(this.prom, { steps: this.steps, splits: this.splits });
    this.checkpointDuration = new Gauge({ name: 'weir_checkpoint_duration_ms', help: 'Duration of the last completed checkpoint.', registers });
    this.checkpointSize = new Gauge({ name: 'weir_checkpoint_size_bytes', help: 'Size of the last completed checkpoint.', registers });
    this.checkpointAlignment = new Gauge({
      name: 'weir_checkpoint_alignment_ms',
      help: 'Longest barrier alignment of the last completed checkpoint.',
      registers,
    });
    this.checkpointDurations = new Histogram({
      name: 'weir_checkpoint_duration_histogram_ms',
      help: 'Durations of completed checkpoints.',
      buckets: [...(options.checkpointDurationBucketsMs ?? DEFAULT_CHECKPOINT_DURATION_BUCKETS_MS)],
      registers,
    });
    this.checkpointsTotal = new Counter({ name: 'weir_checkpoints_total', help: 'Checkpoint attempts by result.', labelNames: ['result'], registers });
    this.restartsTotal = new Counter({ name: 'weir_restarts_total', help: 'Job restarts from a checkpoint after a failure.', registers });
    // Both result series exist from the start, so rate() works before the first failure.
    this.checkpointsTotal.inc({ result: 'completed' }, 0);
    this.checkpointsTotal.inc({ result: 'failed' }, 0);
    this.restartsTotal.inc(0);
  }

  /** The metrics object of `step`, created on first use; keep it and update its fields directly. Runtime only: @internal */
  step(step: string): StepMetrics {
    let metrics = this.steps.get(step);
    if (metrics === undefined) {
      metrics = new StepMetrics(step);
      this.steps.set(step, metrics);
    }
    return metrics;
  }

  /** The metrics object of a source split, created on first use. Runtime only: @internal */
  split(step: string, splitId: string): SplitMetrics {
    let bySplit = this.splits.get(step);
    if (bySplit === undefined) {
      bySplit = new Map();
      this.splits.set(step, bySplit);
    }
    let metrics = bySplit.get(splitId);
    if (metrics === undefined) {
      metrics = new SplitMetrics(step, splitId);
      bySplit.set(splitId, metrics);
    }
    return metrics;
  }

  /** Drop a split (revoked or finished) so its series disappear. Runtime only: @internal */
  removeSplit(step: string, splitId: string): void {
    const bySplit = this.splits.get(step);
    if (bySplit === undefined) return;
    bySplit.delete(splitId);
    if (bySplit.size === 0) this.splits.delete(step);
  }

  /** Record the outcome of a checkpoint. Gauges and the histogram follow completed checkpoints only. Runtime only: @internal */
  recordCheckpoint(stats: CheckpointStats): void {
    const record: CheckpointRecord = { ...stats, recordedAtMs: this.now() };
    this.recent.push(record);
    if (this.recent.length > this.recentLimit) this.recent.shift();
    if (stats.ok) {
      this.completed++;
      this.lastCompleted = record;
      this.checkpointDuration.set(stats.durationMs);
      this.checkpointSize.set(stats.sizeBytes);
      this.checkpointAlignment.set(stats.alignmentMs);
      this.checkpointDurations.observe(stats.durationMs);
      this.checkpointsTotal.inc({ result: 'completed' });
    } else {
      this.failed++;
      this.checkpointsTotal.inc({ result: 'failed' });
    }
  }

  /** The job's lifecycle state. Runtime only: @internal */
  setState(state: JobState): void {
    this.state = state;
  }

  /** What the current attempt restored from (null: started fresh). Runtime only: @internal */
  setRestoredFrom(info: RestoredFrom | null): void {
    this.restoredFrom = info;
  }

  /** Count a restart of the job after a failure. Runtime only: @internal */
  incRestarts(): void {
    this.restarts++;
    this.restartsTotal.inc();
  }

  /**
   * Add a connector's own prom-client metric to this job's registry. Create it with
   * `registers: []` (otherwise prom-client puts it in the global registry); names must be unique.
   */
  register(metric: Metric): void {
    this.prom.registerMetric(metric);
  }

  /** Prometheus text exposition of every metric of the job. */
  prometheus(): Promise<string> {
    return this.prom.metrics();
  }

  /** Content-Type header value for {@link prometheus} responses. */
  get contentType(): string {
    return this.prom.contentType;
  }

  /** A JSON-serialisable snapshot of steps, splits, checkpoints and restarts. */
  status(): JobStatusSnapshot {
    const steps: StepStatus[] = [];
    for (const s of this.steps.values()) {
      steps.push({
        step: s.step,
        recordsIn: s.recordsIn,
        recordsOut: s.recordsOut,
        busySeconds: s.busyNs / NS_PER_SECOND,
        backpressuredSeconds: s.backpressuredNs / NS_PER_SECOND,
        watermark: watermarkOrNull(s.watermark),
        errors: s.errors,
        deadLetters: s.deadLetters,
        lateRecords: s.lateRecords,
      });
    }
    const splits: SplitStatus[] = [];
    for (const bySplit of this.splits.values()) {
      for (const s of bySplit.values()) {
        splits.push({ step: s.step, split: s.split, pendingRecords: s.pendingRecords, watermark: watermarkOrNull(s.watermark), idle: s.idle, paused: s.paused });
      }
    }
    return {
      takenAtMs: this.now(),
      state: this.state,
      ...(this.restoredFrom !== undefined ? { restoredFrom: this.restoredFrom === null ? null : { ...this.restoredFrom } } : {}),
      steps,
      splits,
      checkpoints: {
        completed: this.completed,
        failed: this.failed,
        lastCompleted: this.lastCompleted === null ? null : { ...this.lastCompleted },
        recent: this.recent.map((r) => ({ ...r })),
      },
      restarts: this.restarts,
    };
  }
}
