/**
 * How records reach the instance that owns their key when a job runs on several instances.
 * Core only defines the contract: an exchange adds steps to the pipeline (a sink that writes
 * each record to its key group's partition, a source that reads back the partitions of this
 * instance's key groups) and returns the stream the keyed step reads. `@weir/kafka`'s
 * `kafkaExchange` implements it with a repartition topic, as Kafka Streams does. A job on one
 * instance never uses it: its keyed steps read their input in process.
 */

import type { Pipeline } from './pipeline.js';
import type { Stream } from './stream.js';

export interface KeyExchangeContext {
  readonly jobName: string;
  /** Name of the keyed step the records are routed to (exchange step and topic names derive from it). */
  readonly stepName: string;
  readonly subtask: number;
  readonly parallelism: number;
  /** Number of key groups: a record goes to the instance owning `keyGroupOf(key, maxParallelism)`. */
  readonly maxParallelism: number;
}

export interface KeyExchange {
  /**
   * Route `input` so every record arrives at the instance that owns its key's group; returns
   * the stream of records this instance owns. `key` gives the record's key as the keyed step
   * sees it (a string).
   */
  route<T>(input: Stream<T>, key: (value: T) => string, context: KeyExchangeContext, pipeline: Pipeline): Stream<T>;
}

/** Options of `keyBy`. */
export interface KeyByOptions {
  /**
   * The input is already partitioned by key group: every record arrives at the instance that
   * owns `keyGroupOf(key, maxParallelism)` (for example a topic written by such a partitioner
   * and read with a matching assignment). No exchange is inserted. Default false.
   */
  prePartitioned?: boolean;
}
