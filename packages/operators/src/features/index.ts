/**
 * @weir/operators/features — declarative feature groups ("define once, run as a job"): a small
 * typed spec of source, key, aggregations and horizons, checked at definition and compiled into
 * multi-horizon steps. See the README's "Feature groups" section.
 */

export { compileFeatures, defineFeatureGroup, featureStream } from './compile.js';
export type { Duration, FeatureAggregation, FeatureGroupSpec, FeatureOp, FeatureRow, NumericField, ValueField } from './spec.js';
