/**
 * The Kafka transport: the one interface the source AND the sink are written against. Everything
 * Weir needs from a cluster is here (metadata, Fetch by partition and offset, Produce with
 * producer id/epoch/sequence, InitProducerId, AddPartitionsToTxn, EndTxn with a stored producer
 * id and epoch, ListOffsets, offset commits), so a client library is one adapter behind it,
 * chosen with the `transport` option of `kafkaSource` and `kafkaSink`.
 *
 * Offsets cross this interface as decimal strings (exact for all 64-bit values, JSON-safe).
 * Failures are thrown as {@link KafkaTransportError} (or the two source-specific errors below).
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

/** One record to produce (already partitioned by the caller). */
export interface ProduceMessage {
  key: Buffer | null;
  value: Buffer | string | null;
  headers?: Record<string, string | Buffer | Array<string | Buffer>>;
  /** Epoch ms (default: now). */
  timestamp?: number;
}

/** A Produce request to one broker: one record batch per partition. */
export interface ProduceRequest {
  /** Set for records of a transaction. */
  transactionalId?: string;
  /** -1 for a producer without id (no de-duplication). */
  producerId: number;
  producerEpoch: number;
  /** Broker-side wait for replicas (ms). Acks are always -1 (all in-sync replicas). */
  timeoutMs: number;
  /** Kafka codec id: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  compression?: number;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; firstSequence: number; messages: ProduceMessage[] }> }>;
}

/** Producer identity from InitProducerId (stored in exactly-once committables). */
export interface ProducerIdentity {
  producerId: number;
  producerEpoch: number;
}

/** A topic to create with {@link KafkaTransport.createTopics}. */
export interface NewTopic {
  /** The topic's name. */
  topic: string;
  /** Partition count (at least 1). */
  partitions: number;
  /** Replicas per partition (default: the broker's `default.replication.factor`). */
  replicationFactor?: number;
  /** Topic configs (`retention.ms`, `cleanup.policy`, …). */
  configs?: Record<string, string>;
}

/** What {@link KafkaTransport.createTopics} did for one topic. */
export interface EnsuredTopic {
  /** The topic's name. */
  topic: string;
  /** False when the topic existed already (its settings were left as they were). */
  created: boolean;
  /** The topic's partition count now (at least the count asked for). */
  partitions: number;
}

/**
 * A connection to ONE Kafka cluster. Methods reject when the cluster is unreachable; callers
 * retry (the source closes the transport, backs off and creates a new one; the sink retries
 * requests on retriable {@link KafkaTransportError}s until its delivery timeout).
 */
export interface KafkaTransport {
  /** Connect to the bootstrap brokers and load metadata (the other calls also connect on demand). */
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

  /**
   * Load metadata for `topics` (added to the topics this transport tracks) and refresh every
   * tracked topic. A topic the cluster does not know is simply absent afterwards.
   */
  refreshMetadata(topics?: string[]): Promise<void>;
  /**
   * Leader node id per partition of `topic` from the cached metadata (index = partition; -1 =
   * no leader); empty when the topic is not loaded. Synchronous: the producer's hot path.
   */
  partitionLeaders(topic: string): readonly number[];
  /**
   * One Produce request to broker `nodeId` (acks = all). Resolves with the partitions the broker
   * acknowledged (a partition left out must be sent again, with the same sequence); rejects
   * when the request failed or a partition failed with a non-retriable error.
   */
  produce(nodeId: number, request: ProduceRequest): Promise<TopicPartition[]>;
  /** InitProducerId: at the transaction coordinator of `transactionalId`, or any broker for an idempotent producer. */
  initProducerId(request: { transactionalId?: string; transactionTimeoutMs: number }): Promise<ProducerIdentity>;
  /** AddPartitionsToTxn at the transaction coordinator. */
  addPartitionsToTxn(request: { transactionalId: string } & ProducerIdentity & { topics: Array<{ topic: string; partitions: number[] }> }): Promise<void>;
  /** EndTxn with a given (possibly stored) producer id and epoch: how a restored job commits a transaction prepared before a crash. */
  endTxn(request: { transactionalId: string; commit: boolean } & ProducerIdentity): Promise<void>;

  /**
   * Create topics unless they exist (CreateTopics at the controller), then wait until every
   * partition of each has a leader. A topic that exists already is no error when it has at
   * least the partitions asked for (its replication factor and configs are not compared); with
   * fewer it fails with a {@link KafkaTransportError} of type `TOPIC_ALREADY_EXISTS` naming the
   * topic and both counts. Other refusals (e.g. `INVALID_REPLICATION_FACTOR`) fail with the
   * broker's error type and message.
   */
  createTopics(topics: NewTopic[]): Promise<EnsuredTopic[]>;
  /**
   * Delete the topics that exist among `topics` (DeleteTopics at the controller) and resolve
   * with their names; topics that do not exist (or were deleted meanwhile) are no error.
   * Brokers delete asynchronously: a deleted topic may still be listed for a moment.
   */
  deleteTopics(topics: string[]): Promise<string[]>;

  /** Close every connection (never rejects for an unreachable cluster). */
  close(): Promise<void>;
}

/**
 * Creates a transport for one cluster (the source calls it again after every failure). The
 * caller resolves defaults it cares about (`requestTimeoutMs`) before calling.
 */
export type KafkaTransportFactory = (cluster: { name: string } & KafkaConnectionOptions) => KafkaTransport;

/**
 * A failed Kafka request. `type` is the Kafka protocol error name (`NOT_LEADER_OR_FOLLOWER`,
 * `INVALID_PRODUCER_EPOCH`, …) or undefined for connection errors and timeouts; `retriable`
 * says whether the same request may succeed later (after a metadata refresh).
 */
export class KafkaTransportError extends Error {
  constructor(
    message: string,
    /** Kafka protocol error name, undefined for connection errors and timeouts. */
    readonly type: string | undefined,
    /** The same request may succeed later. */
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KafkaTransportError';
  }
}
