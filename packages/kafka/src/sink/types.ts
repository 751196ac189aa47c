/** Public types of the Kafka sinks. */

import type { KafkaConnectionOptions, KafkaTransportFactory } from '../transport/types.js';
import type { Registry } from 'prom-client';

/** What a record becomes in Kafka. */
export interface KafkaSinkRecord {
  /** Target topic (default: the sink's `topic` option). */
  topic?: string;
  /** Key bytes decide the partition (Java-compatible murmur2) unless a partitioner is given. */
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, string | Buffer | Array<string | Buffer>>;
  /** Explicit partition: wins over every partitioner. */
  partition?: number;
  /** Record timestamp (ms); default: the time of sending. */
  timestamp?: number;
}

/** Custom partitioner: pick a partition in `[0, partitionCount)` on the cluster being written. */
export type KafkaSinkPartitioner = (record: { topic: string; key: Buffer | null; value: Buffer | string | null }, partitionCount: number) => number;

/** One target cluster: the connection has the same shape as a source cluster's. */
export interface KafkaClusterTarget extends KafkaConnectionOptions {
  /** Stable name (stored in checkpoints with exactly-once committables). Default `cluster-<index>`. */
  name?: string;
  /** Share of records in `balance` mode (default 1). */
  weight?: number;
}

/** How records are spread over several clusters. */
export type KafkaSinkMode = 'failover' | 'balance' | 'replicate';

export interface KafkaSinkOptions<T> {
  /** Target clusters; one is the plain single-cluster sink. */
  clusters: KafkaClusterTarget[];
  /** Default topic for records that name none. */
  topic?: string;
  /** Turn a record into a Kafka record. */
  serialize: (record: T) => KafkaSinkRecord;
  partitioner?: KafkaSinkPartitioner;
  /**
   * `at-least-once` (default): every record acknowledged before the checkpoint completes.
   * `exactly-once`: a transaction per checkpoint. A misspelt value fails, it never downgrades.
   */
  guarantee?: 'at-least-once' | 'exactly-once';
  /**
   * Several clusters: `failover` (default; ordered preference, switch on failure, back on
   * recovery), `balance` (by weight over healthy clusters), `replicate` (every record to every cluster).
   */
  mode?: KafkaSinkMode;
  /** Exactly-once: transactional id prefix (default: the sink step's name). Ids are `<prefix>-<subtask>-<n>`. */
  transactionalIdPrefix?: string;
  /** Exactly-once: transactional ids per subtask (default 3; at least 2). */
  transactionPoolSize?: number;
  /** Exactly-once: broker-side transaction timeout (default 900 000 ms, Kafka's maximum default). */
  transactionTimeoutMs?: number;
  /**
   * Exactly-once: how long a restart may take (default 60 000 ms). When the job starts,
   * `transactionTimeoutMs` must be at least the pipeline's checkpoint interval plus this.
   */
  expectedRestartMs?: number;
  /** Most records per partition per produce request (default 5 000). */
  maxBatchRecords?: number;
  /** Records accepted per cluster and not yet acknowledged before `write` waits (default 50 000). */
  maxBufferedRecords?: number;
  /** How long the broker may wait for replicas before it answers a produce request (default 30 000 ms). */
  produceTimeoutMs?: number;
  /** A batch not acknowledged within this time counts as failed (default 30 000 ms; HA modes use it to give up on a cluster). */
  deliveryTimeoutMs?: number;
  /** Kafka compression codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd; KafkaJS `CompressionTypes` values), default none. */
  compression?: number;
  /**
   * Circuit breaker per cluster (at-least-once): open after `failureThreshold` consecutive failed
   * requests (default 10, retried every ~100 ms; unlimited with a single cluster) or a batch past
   * `deliveryTimeoutMs`, probe after `resetTimeoutMs` (default 1 000).
   */
  breaker?: { failureThreshold?: number; resetTimeoutMs?: number };
  /**
   * `replicate` mode: durable local spill (classic-level) for clusters that are down or behind.
   * `maxRecords` (default 1 000 000) bounds each cluster's spill (writes wait beyond it);
   * `afterMs` (default 500): at a checkpoint barrier, a cluster that has not acknowledged its
   * direct sends within this time is treated as failed and those records are spilled, so it
   * cannot hold back the checkpoint.
   */
  spill?: { dir: string; maxRecords?: number; afterMs?: number };
  /**
   * prom-client registry for per-cluster gauges (`weir_kafka_sink_spill_depth`,
   * `..._pending_records`, `..._acknowledged_records`, `..._breaker_state`; labels step, subtask,
   * cluster), e.g. the pipeline's `metrics.prom` so they appear in `job.prometheus()`.
   */
  metricsRegistry?: Registry;
  /**
   * The Kafka transport (client library) behind the sink, as for the source: default
   * {@link defaultTransport}; `kafkaJsTransport()`, `platformaticTransport()` or your own.
   */
  transport?: KafkaTransportFactory;
}

/** Exactly-once committable: one open transaction on one cluster, stored in the checkpoint. */
export interface KafkaTransactionCommittable {
  cluster: string;
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  /** Checkpoint whose barrier closed the transaction. */
  checkpointId: number;
  /** Index of the transactional id in the pool. */
  slot: number;
}

/** Per-cluster health and queue figures. */
export interface KafkaClusterStats {
  name: string;
  state: 'closed' | 'open' | 'half-open';
  /** Records accepted, not yet acknowledged (in memory). */
  pending: number;
  /** Records waiting in the durable spill (`replicate` mode). */
  spillDepth: number;
  acknowledged: number;
  failures: number;
}
