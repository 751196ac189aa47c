/**
 * The shape of bench results (bench/results/latest.json). See bench/README.md for the field rules.
 */

/** A goal for `ratio` when present, else for `value`. */
export interface Target {
  op: '>=' | '<=';
  value: number;
}

/** A published figure to show beside `value` (e.g. Flink's per-core Nexmark rate), same unit. */
export interface Reference {
  value: number;
  label: string;
  /** Where the figure was published. */
  source?: string;
}

export interface BenchResult {
  id: string;
  /** Median of `runs` measurements of the measured side (Weir). */
  value: number;
  unit: string;
  /** Median of the baseline's measurements, same unit, measured in the same rounds. */
  baseline?: number;
  /** Median of the per-round value / baseline ratios (not the ratio of the medians). */
  ratio?: number;
  /** Smallest and largest of the ratios when `ratio` is set, else of the values. */
  min?: number;
  max?: number;
  /** Measured rounds behind the median (warm-up rounds not counted). */
  runs?: number;
  target?: Target;
  reference?: Reference;
  /** What the baseline is, for the table and the chart (e.g. "KafkaJS loop"). */
  baselineLabel?: string;
  /** Suite that produced it; set by bench/run.ts. */
  suite?: string;
}

/** Conditions a suite ran under; the load average shows whether other processes competed for the CPUs. */
export interface SuiteRun {
  at: string;
  seconds: number;
  node: string;
  cpus: number;
  /** 1-minute load average when the suite started and when it ended. */
  loadBefore: number;
  loadAfter: number;
  quick: boolean;
}

export interface BenchFile {
  suites: Record<string, SuiteRun>;
  results: BenchResult[];
  /** Free text, e.g. what else ran on the machine. */
  note?: string;
}

/** Whether a figure meets its target (undefined without one). */
export function meetsTarget(r: BenchResult): boolean | undefined {
  if (r.target === undefined) return undefined;
  const v = r.ratio ?? r.value;
  return r.target.op === '>=' ? v >= r.target.value : v <= r.target.value;
}
