/** The declarative feature definition: what a feature group is, as a user writes it. */

/** A duration such as `'30s'`, `'5m'`, `'1h'`, `'7d'` (also `'500ms'`). */
export type Duration = `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

/** Fields of `T` holding numbers (for sum, min, max, avg). */
export type NumericField<T> = { [K in keyof T]-?: T[K] extends number ? K : never }[keyof T] & string;
/** Fields of `T` holding strings or numbers (for keys and distinct counts). */
export type ValueField<T> = { [K in keyof T]-?: T[K] extends string | number ? K : never }[keyof T] & string;

/** One aggregation; its features are named `<name>_<horizon>` (default name: `count`, `<field>_<op>`). */
export type FeatureAggregation<T> =
  | { op: 'count'; name?: string }
  | { op: 'sum' | 'min' | 'max' | 'avg'; field: NumericField<T>; name?: string }
  | { op: 'approx_distinct'; field: ValueField<T>; name?: string };

/** The aggregations a feature group can compute. */
export type FeatureOp = 'count' | 'sum' | 'min' | 'max' | 'avg' | 'approx_distinct';

/** A feature group: what to aggregate, per which key, over which horizons. */
export interface FeatureGroupSpec<T> {
  /** Group name: lower case, digits and `_` (it names the step and prefixes nothing else). */
  name: string;
  /** Which source stream the group reads (a key of `compileFeatures`' sources). */
  source: string;
  /** The entity: one field, or several (joined with `|` in the row's `key`). */
  key: ValueField<T> | readonly ValueField<T>[];
  /** Look-back windows, each a multiple of `resolution`; every feature is computed for each. */
  horizons: readonly Duration[];
  /** Slice length: horizons end at the end of the record's slice (default `'1m'`). */
  resolution?: Duration;
  /** Only records for which this holds count. */
  filter?: (record: T) => boolean;
  /** What to compute per horizon; feature names must be unique within the group. */
  aggregations: ReadonlyArray<FeatureAggregation<T>>;
  /** Forget a key's slices this long (processing time) after its last record. */
  idleTtl?: Duration;
  /** HyperLogLog precision of `approx_distinct` (default 12, about 1.6 % standard error). */
  precision?: number;
  /** A record whose key or field is not a string / finite number: `'dead-letter'` or `'fail'` (default: the pipeline's policy). */
  onInvalid?: 'fail' | 'dead-letter';
}

/**
 * One output row per counted record: the key's features over every horizon, as of the end of the
 * record's slice. Feature names are `<aggregation name>_<horizon>`, e.g. `amount_sum_1h`.
 */
export interface FeatureRow {
  /** The group's name. */
  group: string;
  /** The key's field values, joined with `|`. */
  key: string;
  /** Exclusive end of every horizon (event time). */
  end: number;
  /** `<aggregation>_<horizon>` -> value (`null`: min / max / avg over no records). */
  features: Record<string, number | null>;
}

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export const DURATION_PATTERN = /^([1-9]\d*)(ms|s|m|h|d)$/;

/** `'90s'` -> 90 000. The string has passed {@link DURATION_PATTERN}. */
export function durationToMs(d: string): number {
  const m = DURATION_PATTERN.exec(d);
  if (m === null) throw new RangeError(`not a duration: '${d}'`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** The name an aggregation's features get when it has none: `count`, `amount_sum`, `merchant_approx_distinct`. */
export function aggregationName(a: { op: FeatureOp; field?: string; name?: string }): string {
  return a.name ?? (a.op === 'count' ? 'count' : `${a.field}_${a.op}`);
}
