/**
 * The narrow client interface the Kafka source is written against. Operators never see a
 * Kafka library: everything they need from a cluster is here, so another client can be plugged
 * in (via `KafkaSourceOptions.clientFactory`) without touching the source.
 *
 * Offsets cross this interface as decimal strings (exact for all 64-bit values, JSON-safe).
 */

/** How to reach one cluster. `ssl` and `sasl` are passed through to the client unchanged. */
export interface KafkaConnectionOptions {
  /** Bootstrap servers, `host:port`. */
  brokers: string[];
  /** Client id sent to the brokers (default `weir`). */
  clientId?: string;
  /** Passed through to the client library (KafkaJS: `tls.ConnectionOptions` or `true`). */
  ssl?: unknown;
  /** Passed through to the client library (KafkaJS: `{ mechanism, username, password }`). */
  sasl?: unknown;
  /** TCP connect timeout (default 1000 ms). */
  connectionTimeoutMs?: number;
  /** Request timeout (default 10 000 ms; a fetch also waits its `maxWaitMs` on top). */
  requestTimeoutMs?: number;
}

/** A partition of a topic. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** Where to look up an offset with `listOffsets`. */
export type OffsetSpec = 'earliest' | 'latest' | { timestamp: number };

/** One record as fetched. */
export interface FetchedRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[] | undefined>;
  timestamp: number;
}

/** The result of fetching one partition. */
export interface FetchedPartition extends TopicPartition {
  /** The offset the fetch started at (as requested). */
  fetchOffset: string;
  /** Records at or after `fetchOffset`, without control records and aborted transactions. */
  records: FetchedRecord[];
  /** Where the next fetch of this partition starts (past filtered records too). */
  nextOffset: string;
  /** The partition's high watermark when the broker answered. */
  highWatermark: string;
}

/** Errors a caller must tell apart; any other thrown error means "reconnect and retry". */
export class OffsetOutOfRangeError extends Error {
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {
    super(`offset out of range for ${topic}/${partition}`);
    this.name = 'OffsetOutOfRangeError';
  }
}

/** A partition's leader is unknown or moved: refresh metadata and retry. */
export class StaleMetadataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StaleMetadataError';
  }
}

/** A fetch from one broker. */
export interface FetchRequest {
  partitions: Array<TopicPartition & { offset: string }>;
  /** Longest the broker waits for data (it answers as soon as any partition has data). */
  maxWaitMs: number;
  /** Byte limit per partition (default 1 MiB). */
  maxBytesPerPartition?: number;
}

/**
 * A connection to ONE Kafka cluster. Methods reject when the cluster is unreachable; the
 * source then closes the client, backs off and creates a new one.
 */
export interface KafkaClusterClient {
  connect(): Promise<void>;
  /** All topic names (internal topics such as `__consumer_offsets` excluded). */
  listTopics(): Promise<string[]>;
  /** Partition counts of the given topics (unknown topics are left out). */
  partitionCounts(topics: string[]): Promise<Map<string, number>>;
  /** Offsets of a topic's partitions by spec (a timestamp with no later record yields the latest offset). */
  listOffsets(topic: string, spec: OffsetSpec): Promise<Map<number, string>>;
  /** Committed offsets of a consumer group for a topic (partitions without a commit are absent). */
  committedOffsets(groupId: string, topic: string): Promise<Map<number, string>>;
  /** Commit offsets (the next offset to read) for a group that has no active members. */
  commitOffsets(groupId: string, offsets: Array<TopicPartition & { offset: string }>): Promise<void>;
  /**
   * Group partitions by their current leader (refreshing metadata for their topics first when
   * `refresh` is set or a topic is not known yet). Partitions without a leader are left out.
   */
  leaders(partitions: TopicPartition[], refresh: boolean): Promise<Map<number, TopicPartition[]>>;
  /** One Fetch request to broker `nodeId`. */
  fetch(nodeId: number, request: FetchRequest): Promise<FetchedPartition[]>;
  close(): Promise<void>;
}

/** Creates a client for one cluster (the source calls it again after every failure). */
export type KafkaClientFactory = (cluster: { name: string } & KafkaConnectionOptions) => KafkaClusterClient;
