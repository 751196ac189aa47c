import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { MIN_WATERMARK } from '../time/types.js';
import type { SplitMetrics, StepMetrics } from './step-metrics.js';

const NS_PER_SECOND = 1e9;

/** The live objects the scrape-time collectors read. */
export interface CollectedState {
  readonly steps: ReadonlyMap<string, StepMetrics>;
  readonly splits: ReadonlyMap<string, ReadonlyMap<string, SplitMetrics>>;
}

interface StepSeries {
  name: string;
  help: string;
  read: (s: StepMetrics) => number;
}

const stepCounters: StepSeries[] = [
  { name: 'weir_step_records_in_total', help: 'Records that entered the step.', read: (s) => s.recordsIn },
  { name: 'weir_step_records_out_total', help: 'Records the step emitted.', read: (s) => s.recordsOut },
  { name: 'weir_step_busy_seconds_total', help: 'Time the step spent processing.', read: (s) => s.busyNs / NS_PER_SECOND },
  {
    name: 'weir_step_backpressured_seconds_total',
    help: 'Time the step spent waiting for downstream capacity.',
    read: (s) => s.backpressuredNs / NS_PER_SECOND,
  },
  { name: 'weir_step_errors_total', help: 'Failed records or batches of the step.', read: (s) => s.errors },
  { name: 'weir_dead_letters_total', help: 'Records the step sent to the dead-letter output.', read: (s) => s.deadLetters },
  { name: 'weir_step_late_records_total', help: 'Records that arrived after their windows closed (LATE_DATA, or dropped).', read: (s) => s.lateRecords },
];

/**
 * Define the per-step and per-split series on `registry`. They hold no values of their
 * own: each scrape resets them and copies the current fields, so the hot path never calls
 * prom-client. Non-finite values are skipped rather than failing the scrape.
 */
export function registerStateCollectors(registry: Registry, state: CollectedState): void {
  for (const series of stepCounters) {
    new Counter({
      name: series.name,
      help: series.help,
      labelNames: ['step'],
      registers: [registry],
      collect(this: Counter<'step'>) {
        this.reset();
        for (const s of state.steps.values()) {
          const value = series.read(s);
          if (Number.isFinite(value) && value >= 0) this.inc({ step: s.step }, value);
        }
      },
    });
  }

  new Gauge({
    name: 'weir_step_watermark_ms',
    help: 'Current event-time watermark of the step (epoch ms); absent before the first watermark.',
    labelNames: ['step'],
    registers: [registry],
    collect(this: Gauge<'step'>) {
      this.reset();
      for (const s of state.steps.values()) {
        if (s.watermark !== MIN_WATERMARK && Number.isFinite(s.watermark)) this.set({ step: s.step }, s.watermark);
      }
    },
  });

  new Gauge({
    name: 'weir_source_pending_records',
    help: 'Records available in the source split but not yet read.',
    labelNames: ['step', 'split'],
    registers: [registry],
    collect(this: Gauge<'step' | 'split'>) {
      this.reset();
      for (const splits of state.splits.values()) {
        for (const s of splits.values()) {
          if (Number.isFinite(s.pendingRecords)) this.set({ step: s.step, split: s.split }, s.pendingRecords);
        }
      }
    },
  });
}
