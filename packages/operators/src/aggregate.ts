/**
 * Incremental aggregation with merge (Flink's AggregateFunction). Slices, sessions and horizons
 * are accumulators that get merged when a window fires, so `merge` is required.
 *
 * Accumulators live in keyed state, which holds values by reference until they are flushed or
 * snapshotted: `add` and `merge` must return a new accumulator (or a number/string) and never
 * mutate their arguments.
 */
export interface Aggregate<I, A, R> {
  create(): A;
  add(acc: A, value: I): A;
  merge(a: A, b: A): A;
  result(acc: A): R;
}
