/** Public types of the Kafka source: clusters, start positions, records, splits, options. */

import type { KafkaTransportFactory, KafkaConnectionOptions, TopicPartition } from '../transport/types.js';

/**
 * Where a split starts when no checkpoint knows it:
 * - `'earliest'` / `'latest'`;
 * - `{ timestamp }`: the first record at or after this time (the end when there is none);
 * - `{ committed }`: the consumer group's committed offset (`fallback` when it has none);
 * - `{ offsets }`: explicit offsets per partition (`fallback` for other partitions).
 */
export type StartPosition =
  | 'earliest'
  | 'latest'
  | { timestamp: number }
  | { committed: string; fallback?: 'earliest' | 'latest' }
  | { offsets: Record<number, string | number>; fallback?: 'earliest' | 'latest' };

/** One cluster the source reads: a name, the connection (the same shape as a sink's cluster) and topics. */
export interface KafkaClusterSpec extends KafkaConnectionOptions {
  /** Unique name, without '/'; the first part of every split id (`cluster/topic/partition`). */
  name: string;
  /** Topic names, or a pattern matched against every topic of the cluster. */
  topics: string[] | RegExp;
  /** Start position of this cluster's splits at the first start (overrides the source's). */
  startFrom?: StartPosition;
  /** Per-topic start positions (override the cluster's). */
  startFromByTopic?: Record<string, StartPosition>;
}

/**
 * Where clusters come from:
 * - an array: a static list;
 * - `{ file }`: a JSON file `{ "clusters": [...] }` (topics as a name array, or `"topicPattern": "regex"`),
 *   watched with `fs.watch` and re-read every `intervalMs` (default 5 s);
 * - `{ provider }`: a callback asked every `intervalMs` (default 10 s).
 * A cluster that disappears is removed (its splits taken away, its offsets kept for
 * `removedClusterRetentionMs`); one that appears starts flowing.
 */
export type ClusterSource =
  | KafkaClusterSpec[]
  | { file: string; intervalMs?: number }
  | { provider: () => KafkaClusterSpec[] | Promise<KafkaClusterSpec[]>; intervalMs?: number };

/** A record as the source emits it. */
export interface KafkaRecord {
  cluster: string;
  topic: string;
  partition: number;
  /** The record's offset as a decimal string (exact for 64-bit offsets, JSON-safe). */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[] | undefined>;
  /** Record timestamp, epoch ms. */
  timestamp: number;
}

/** A split: one partition of one topic of one cluster. Its state is the next offset to read. */
export interface KafkaSplit {
  /** `cluster/topic/partition`. */
  readonly id: string;
  readonly cluster: string;
  readonly topic: string;
  readonly partition: number;
  /** Next offset to read (decimal string). */
  readonly offset: string;
  /** Bounded mode: the split finishes at this offset (exclusive). */
  readonly stopOffset?: string;
}

/** The id of a split: `cluster/topic/partition`. */
export const splitId = (cluster: string, tp: TopicPartition): string => `${cluster}/${tp.topic}/${tp.partition}`;

/** Enumerator state in checkpoints: offsets of removed clusters (kept for re-adding), the instance count. */
export interface KafkaEnumeratorState {
  /** Parallelism of the run that wrote the checkpoint (a different one on restore re-deals the splits). */
  parallelism?: number;
  removed: Array<{ cluster: string; removedAt: number; splits: KafkaSplit[] }>;
}

export interface KafkaSourceOptions {
  /** The clusters: static, a watched JSON file, or a callback. */
  clusters: ClusterSource;
  /** `'bounded'` stops every split at the end offset seen when it was discovered (default `'unbounded'`). */
  boundedness?: 'bounded' | 'unbounded';
  /** Start position at the first start (default `'earliest'`). */
  startFrom?: StartPosition;
  /** Start position of splits discovered later: new topics, partitions, clusters (default `'earliest'`). */
  newSplitsStartFrom?: StartPosition;
  /** How often topics and partitions are re-discovered (default 10 s; unbounded mode only). */
  discoveryIntervalMs?: number;
  /** After each completed checkpoint, commit the checkpointed offsets to this group on every cluster (for lag monitors). */
  commitGroupId?: string;
  /** How long a removed cluster's offsets are kept (default 7 days). */
  removedClusterRetentionMs?: number;
  /** Longest a Fetch waits at the broker for data (default 500 ms). */
  fetchMaxWaitMs?: number;
  /** Bytes per partition and fetch (default 1 MiB). */
  fetchMaxBytesPerPartition?: number;
  /** Records fetched ahead per split before its fetching pauses (default 20 000). */
  maxBufferedRecordsPerSplit?: number;
  /** Retry backoff for unreachable clusters: doubles from `initialMs` to `maxMs` (default 200 ms .. 10 s). */
  reconnectBackoff?: { initialMs?: number; maxMs?: number };
  /** The Kafka transport (client library) behind the source: default {@link defaultTransport} (read_committed). */
  transport?: KafkaTransportFactory;
}
