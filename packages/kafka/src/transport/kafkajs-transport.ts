/**
 * {@link KafkaTransport} over KafkaJS 2.2.4 — the ONE file of @weir/kafka that reaches into a
 * client library's internals (KafkaJS is pinned to exactly 2.2.4 for that reason).
 *
 * KafkaJS has no public manual-assignment consumer, no public way to resume a transaction after
 * a crash (EndTxn with a stored producer id/epoch), and its `producer.send()` can drop records on
 * a retry (it skips brokers that answered the first attempt even when a partition moved to
 * them). So this adapter uses the public admin client for topics (listing, creating — KafkaJS
 * sends CreateTopics and DeleteTopics to the controller — and deleting) and group offsets, and
 * KafkaJS's own `Cluster`/`Broker` objects (private `createCluster`: same brokers, SSL, SASL and
 * socket handling as the `Kafka` instance) for metadata, ListOffsets, Fetch, Produce, producer
 * ids, transactions and offset commits, plus the consumer's `Batch` to drop records before the
 * fetch offset, control records and aborted transactions.
 */

import { createRequire } from 'node:module';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { oneOf, schemaFor, strictObject, validateOptions } from '@weir/core';
import { ALSO_RETRIABLE, FATAL_TYPES } from './errors.js';
import {
  KafkaTransportError,
  OffsetOutOfRangeError,
  StaleMetadataError,
  type FetchedPartition,
  type FetchedRecord,
  type FetchRequest,
  type KafkaConnectionOptions,
  type KafkaTransport,
  type KafkaTransportFactory,
  type EnsuredTopic,
  type NewTopic,
  type OffsetSpec,
  type ProduceRequest,
  type ProducerIdentity,
  type TopicPartition,
} from './types.js';
import { byLeader, groupBy } from './grouping.js';
import { checkNewTopics, createTopicError, settleTopics } from './topic-admin.js';

const require = createRequire(import.meta.url);

// ---- the KafkaJS internals used, typed here and nowhere else ------------------------------

interface RawMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[] | undefined>;
  isControlRecord: boolean;
  batchContext?: { firstOffset: string; lastOffsetDelta: number };
}

interface RawPartitionData {
  partition: number;
  errorCode: number;
  highWatermark: string;
  abortedTransactions?: unknown[];
  messages: RawMessage[];
}

interface InternalBroker {
  fetch(request: {
    replicaId: number;
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; fetchOffset: string; maxBytes: number }> }>;
  }): Promise<{ responses: Array<{ topicName: string; partitions: RawPartitionData[] }> }>;
  produce(request: {
    topicData: ProduceRequest['topics'];
    transactionalId?: string;
    producerId?: number;
    producerEpoch?: number;
    acks?: number;
    timeout?: number;
    compression?: number;
  }): Promise<{ topics: Array<{ topicName: string; partitions: Array<{ partition: number; errorCode: number }> }> }>;
  initProducerId(request: { transactionalId?: string; transactionTimeout: number }): Promise<{ producerId: number; producerEpoch: number }>;
  addPartitionsToTxn(request: { transactionalId: string; producerId: number; producerEpoch: number; topics: Array<{ topic: string; partitions: number[] }> }): Promise<unknown>;
  endTxn(request: { transactionalId: string; producerId: number; producerEpoch: number; transactionResult: boolean }): Promise<unknown>;
  offsetCommit(request: object): Promise<unknown>;
}

interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  isConnected(): boolean;
  refreshMetadata(): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number; leader: number }>;
  fetchTopicsOffset(
    topics: Array<{ topic: string; partitions: Array<{ partition: number }>; fromBeginning?: boolean; fromTimestamp?: number }>,
  ): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>>;
  findBroker(args: { nodeId: string | number }): Promise<InternalBroker>;
  findControllerBroker(): Promise<InternalBroker>;
  findGroupCoordinator(args: { groupId: string; coordinatorType?: number }): Promise<InternalBroker>;
  removeBroker(args: { host: string; port: number }): void;
  /** The topics whose metadata the cluster refreshes. */
  targetTopics: Set<string>;
}

type BatchConstructor = new (topic: string, fetchedOffset: string, partitionData: RawPartitionData) => { messages: RawMessage[]; rawMessages: RawMessage[] };

/** KafkaJS's consumer Batch (filters records below the fetch offset, control records, aborted data). */
const Batch = require('kafkajs/src/consumer/batch.js') as BatchConstructor;

/** KafkaJS's private cluster factory, with the connection settings of `kafka`. */
function createCluster(kafka: Kafka, options: object): InternalCluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  if (symbol === undefined) throw new Error('@weir/kafka: unsupported kafkajs version (no private:Kafka:createCluster); KafkaJS 2.2.4 is required');
  const create = (kafka as unknown as Record<symbol, (o: object) => InternalCluster>)[symbol]!;
  return create({ metadataMaxAge: 300_000, allowAutoTopicCreation: false, maxInFlightRequests: null, instrumentationEmitter: null, ...options });
}

// ---- the adapter --------------------------------------------------------------------------

/** Options of the KafkaJS transport. */
export interface KafkaJsTransportOptions {
  /** `read_committed` (default) hides aborted transactions and waits for the last stable offset. */
  isolationLevel?: 'read_committed' | 'read_uncommitted';
}

const optionsSchema = schemaFor<KafkaJsTransportOptions>()(strictObject({ isolationLevel: oneOf(['read_committed', 'read_uncommitted']).optional() }));

/** Upper bound of one Fetch response (Kafka's `fetch.max.bytes` default). */
const MAX_FETCH_BYTES = 50 << 20;
const TRANSACTION_COORDINATOR = 1;
/** CreateTopics attempts while brokers answer a retriable error (NOT_CONTROLLER after the controller moved, a timeout). */
const CREATE_ATTEMPTS = 4;
const STALE_TYPES = new Set(['NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION', 'REPLICA_NOT_AVAILABLE', 'FENCED_LEADER_EPOCH']);

/** The KafkaJS 2.2.4 transport: one `Kafka` instance per cluster and attempt. */
export function kafkaJsTransport(options: KafkaJsTransportOptions = {}): KafkaTransportFactory {
  validateOptions(optionsSchema, options, 'kafkaJsTransport options');
  return (cluster) => new KafkaJsTransport(cluster, options.isolationLevel === 'read_uncommitted' ? 0 : 1);
}

class KafkaJsTransport implements KafkaTransport {
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly cluster: InternalCluster;
  private readonly targetTopics = new Set<string>();
  private readonly leaderCache = new WeakMap<object, number[]>();
  private readonly requestTimeoutMs: number;

  constructor(
    config: KafkaConnectionOptions,
    private readonly isolationLevel: number,
  ) {
    this.kafka = new Kafka({
      brokers: config.brokers,
      clientId: config.clientId ?? 'weir',
      ssl: config.ssl as never,
      sasl: config.sasl as never,
      connectionTimeout: config.connectionTimeoutMs ?? 1000,
      requestTimeout: config.requestTimeoutMs ?? 10_000,
      // quick retries inside KafkaJS; the source and the sink retry with their own policies
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 },
      logLevel: logLevel.NOTHING,
    });
    this.requestTimeoutMs = config.requestTimeoutMs ?? 10_000;
    this.admin = this.kafka.admin();
    this.cluster = createCluster(this.kafka, { isolationLevel });
  }

  async connect(): Promise<void> {
    await Promise.all([this.admin.connect(), this.cluster.connect()]);
  }

  async listTopics(): Promise<string[]> {
    return (await this.admin.listTopics()).filter((t) => !t.startsWith('__'));
  }

  async partitionCounts(topics: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (topics.length === 0) return out;
    const { topics: meta } = await this.admin.fetchTopicMetadata({ topics });
    for (const t of meta) out.set(t.name, t.partitions.length);
    return out;
  }

  async listOffsets(topic: string, spec: OffsetSpec): Promise<Map<number, string>> {
    // through the internal cluster with fresh metadata: the admin's cached metadata misses new partitions
    await this.ensureMetadata([topic], true);
    const partitions = this.cluster.findTopicPartitionMetadata(topic).map((p) => ({ partition: p.partitionId }));
    const query = async (q: { fromBeginning?: boolean; fromTimestamp?: number }) => {
      const res = await this.cluster.fetchTopicsOffset([{ topic, partitions, ...q }]);
      return new Map((res[0]?.partitions ?? []).map((p) => [p.partition, p.offset] as const));
    };
    if (typeof spec !== 'object') return query({ fromBeginning: spec === 'earliest' });
    const byTime = await query({ fromTimestamp: spec.timestamp });
    const latest = await query({ fromBeginning: false });
    for (const [p, o] of byTime) if (BigInt(o) < 0n) byTime.set(p, latest.get(p) ?? o);
    return byTime;
  }

  /** Make sure the cluster's metadata covers `topics` (and is fresh when `refresh`). */
  private async ensureMetadata(topics: string[], refresh: boolean): Promise<void> {
    const unknown = topics.filter((t) => !this.targetTopics.has(t));
    if (unknown.length > 0) {
      await this.cluster.addMultipleTargetTopics(topics);
      for (const t of topics) this.targetTopics.add(t);
      if (refresh) await this.cluster.refreshMetadata(); // adding may not refresh when another call added them first
      return;
    }
    if (refresh) await this.cluster.refreshMetadata();
  }

  async committedOffsets(groupId: string, topic: string): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    const res = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    for (const t of res) for (const p of t.partitions) if (Number(p.offset) >= 0) out.set(p.partition, p.offset);
    return out;
  }

  async commitOffsets(groupId: string, offsets: Array<TopicPartition & { offset: string }>): Promise<void> {
    if (offsets.length === 0) return;
    const coordinator = await this.cluster.findGroupCoordinator({ groupId });
    await coordinator.offsetCommit({
      groupId,
      groupGenerationId: -1,
      memberId: '',
      retentionTime: -1,
      topics: [...groupBy(offsets, (o) => o.topic)].map(([topic, ps]) => ({ topic, partitions: ps.map((p) => ({ partition: p.partition, offset: p.offset })) })),
    });
  }

  async leaders(partitions: TopicPartition[], refresh: boolean): Promise<Map<number, TopicPartition[]>> {
    await this.ensureMetadata([...new Set(partitions.map((p) => p.topic))], refresh);
    return byLeader(partitions, (p) => this.partitionLeaders(p.topic)[p.partition]);
  }

  async fetch(nodeId: number, request: FetchRequest): Promise<FetchedPartition[]> {
    const maxBytes = request.maxBytesPerPartition ?? 1 << 20;
    const requested = new Map<string, string>();
    for (const p of request.partitions) requested.set(`${p.topic}\u0000${p.partition}`, p.offset);
    let response;
    try {
      const broker = await this.cluster.findBroker({ nodeId });
      response = await broker.fetch({
        replicaId: -1,
        isolationLevel: this.isolationLevel,
        maxWaitTime: request.maxWaitMs,
        minBytes: 1,
        maxBytes: Math.min(maxBytes * request.partitions.length, MAX_FETCH_BYTES),
        topics: [...groupBy(request.partitions, (p) => p.topic)].map(([topic, ps]) => ({
          topic,
          partitions: ps.map((p) => ({ partition: p.partition, fetchOffset: p.offset, maxBytes })),
        })),
      });
    } catch (err) {
      throw translateFetchError(err);
    }
    const out: FetchedPartition[] = [];
    for (const { topicName, partitions } of response.responses) {
      for (const data of partitions) {
        const fetchOffset = requested.get(`${topicName}\u0000${data.partition}`);
        if (fetchOffset === undefined) continue;
        const batch = new Batch(topicName, fetchOffset, data);
        out.push({
          topic: topicName,
          partition: data.partition,
          fetchOffset,
          records: batch.messages.map(toRecord),
          nextOffset: nextOffsetOf(fetchOffset, batch.rawMessages),
          highWatermark: data.highWatermark,
        });
      }
    }
    return out;
  }

  async refreshMetadata(topics: string[] = []): Promise<void> {
    await this.call('Metadata', async () => {
      if (!this.cluster.isConnected()) await this.cluster.connect();
      const unknown = topics.filter((t) => !this.targetTopics.has(t));
      if (unknown.length > 0) {
        for (const t of unknown) this.targetTopics.add(t);
        // adds and refreshes; a topic the cluster does not know fails the refresh in KafkaJS
        await this.cluster.addMultipleTargetTopics(topics).catch((err: { type?: string }) => {
          if (err.type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err;
          for (const t of unknown) this.targetTopics.delete(t);
        });
      }
      // after a failed refresh KafkaJS keeps targets without metadata: refresh again
      await this.cluster.refreshMetadata();
    });
  }

  partitionLeaders(topic: string): readonly number[] {
    let meta: Array<{ partitionId: number; leader: number }>;
    try {
      meta = this.cluster.findTopicPartitionMetadata(topic);
    } catch {
      return [];
    }
    // KafkaJS keeps the same array until the next metadata refresh: convert it once
    const cached = this.leaderCache.get(meta);
    if (cached !== undefined) return cached;
    const out: number[] = [];
    for (const p of meta) out[p.partitionId] = p.leader ?? -1;
    for (let i = 0; i < out.length; i++) if (out[i] === undefined) out[i] = -1;
    this.leaderCache.set(meta, out);
    return out;
  }

  async produce(nodeId: number, request: ProduceRequest): Promise<TopicPartition[]> {
    const response = await this.call('Produce', async () => {
      const broker = await this.cluster.findBroker({ nodeId });
      return broker.produce({
        transactionalId: request.transactionalId,
        producerId: request.producerId,
        producerEpoch: request.producerEpoch,
        acks: -1,
        timeout: request.timeoutMs,
        compression: request.compression,
        topicData: request.topics,
      });
    });
    const acked: TopicPartition[] = [];
    for (const t of response.topics) for (const p of t.partitions) if (p.errorCode === 0) acked.push({ topic: t.topicName, partition: p.partition });
    return acked;
  }

  async initProducerId(request: { transactionalId?: string; transactionTimeoutMs: number }): Promise<ProducerIdentity> {
    return this.call(`InitProducerId(${request.transactionalId ?? 'idempotent'})`, async () => {
      const broker = request.transactionalId === undefined ? await this.anyBroker() : await this.coordinator(request.transactionalId);
      const r = await broker.initProducerId({ transactionalId: request.transactionalId, transactionTimeout: request.transactionTimeoutMs });
      return { producerId: Number(r.producerId), producerEpoch: Number(r.producerEpoch) };
    });
  }

  async addPartitionsToTxn(request: { transactionalId: string; producerId: number; producerEpoch: number; topics: Array<{ topic: string; partitions: number[] }> }): Promise<void> {
    await this.call(`AddPartitionsToTxn(${request.transactionalId})`, async () => {
      const broker = await this.coordinator(request.transactionalId);
      await broker.addPartitionsToTxn(request);
    });
  }

  async endTxn(request: { transactionalId: string; commit: boolean; producerId: number; producerEpoch: number }): Promise<void> {
    await this.call(`EndTxn(${request.transactionalId}, ${request.commit ? 'commit' : 'abort'})`, async () => {
      const broker = await this.coordinator(request.transactionalId);
      await broker.endTxn({ transactionalId: request.transactionalId, producerId: request.producerId, producerEpoch: request.producerEpoch, transactionResult: request.commit });
    });
  }

  async createTopics(topics: NewTopic[]): Promise<EnsuredTopic[]> {
    checkNewTopics(topics);
    const existed = new Set<string>();
    // one request per topic: KafkaJS answers `false` when any topic of a request existed, without saying which
    await Promise.all(
      topics.map(async (t) => {
        const request = {
          topics: [{ topic: t.topic, numPartitions: t.partitions, replicationFactor: t.replicationFactor ?? -1, configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })) }],
          waitForLeaders: false, // waited for below, through this transport's metadata
          timeout: this.requestTimeoutMs,
        };
        for (let attempt = 1; ; attempt++) {
          let created: boolean;
          try {
            created = await this.admin.createTopics(request);
          } catch (err) {
            // per-topic refusals come as an aggregate of KafkaJSCreateTopicErrors
            const inner = (err as { errors?: Array<{ type?: string; message?: string; retriable?: boolean }> }).errors?.[0] ?? (err as { type?: string; message?: string; retriable?: boolean });
            if (inner.type === undefined) throw toTransportError(`CreateTopics(${t.topic})`, err);
            // KafkaJS retries NOT_CONTROLLER only as a whole-request error, never the per-topic errors brokers send (NOT_CONTROLLER,
            // REQUEST_TIMED_OUT, …): retried here, as @platformatic/kafka's admin does (KafkaJS re-reads the controller each call)
            const retriable = inner.retriable === true && !FATAL_TYPES.has(inner.type);
            if (retriable && attempt < CREATE_ATTEMPTS) {
              await new Promise((r) => setTimeout(r, 100 * attempt));
              continue;
            }
            throw createTopicError(t, inner.type, inner.message, retriable, err);
          }
          if (!created) existed.add(t.topic);
          return;
        }
      }),
    );
    return settleTopics(this, topics, existed, this.requestTimeoutMs);
  }

  async deleteTopics(topics: string[]): Promise<string[]> {
    if (topics.length === 0) return [];
    const existing = new Set(await this.call('Metadata', () => this.admin.listTopics()));
    const present = [...new Set(topics)].filter((t) => existing.has(t));
    if (present.length === 0) return [];
    await this.call(`DeleteTopics(${present.join(', ')})`, async () => {
      try {
        await this.admin.deleteTopics({ topics: present, timeout: this.requestTimeoutMs });
      } catch (err) {
        // deleted meanwhile (by another instance): KafkaJS retries that, then gives up
        const e = err as { type?: string; cause?: { type?: string } };
        if (e.type !== 'UNKNOWN_TOPIC_OR_PARTITION' && e.cause?.type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err;
      }
    });
    // a deleted topic left in the metadata targets would fail every later refresh
    for (const t of present) {
      this.targetTopics.delete(t);
      this.cluster.targetTopics.delete(t);
    }
    return present;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.admin.disconnect(), this.cluster.disconnect()]);
  }

  private async anyBroker(): Promise<InternalBroker> {
    if (!this.cluster.isConnected()) await this.cluster.connect();
    await this.cluster.refreshMetadataIfNecessary();
    return this.cluster.findControllerBroker();
  }

  private async coordinator(transactionalId: string): Promise<InternalBroker> {
    if (!this.cluster.isConnected()) await this.cluster.connect();
    return this.cluster.findGroupCoordinator({ groupId: transactionalId, coordinatorType: TRANSACTION_COORDINATOR });
  }

  /** Run a request; KafkaJS errors become {@link KafkaTransportError}s, and a closed connection is forgotten. */
  private async call<R>(what: string, fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (err) {
      const e = err as { name?: string; host?: string; port?: number };
      if (e.name === 'KafkaJSConnectionClosedError' && e.host !== undefined && e.port !== undefined) this.cluster.removeBroker({ host: e.host, port: e.port });
      if (e.name === 'KafkaJSMetadataNotLoaded') await this.cluster.refreshMetadata().catch(() => undefined);
      throw toTransportError(what, err);
    }
  }
}

function toTransportError(what: string, err: unknown): KafkaTransportError {
  const e = err as { name?: string; type?: string; retriable?: boolean; code?: string; message?: string };
  const type = e.type === 'NOT_LEADER_FOR_PARTITION' ? 'NOT_LEADER_OR_FOLLOWER' : e.type;
  let retriable: boolean;
  if (type !== undefined) retriable = !FATAL_TYPES.has(type) && (e.retriable === true || ALSO_RETRIABLE.has(type));
  else if (e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' || e.code === 'EPIPE' || e.code === 'ETIMEDOUT') retriable = true;
  else retriable = typeof e.name === 'string' && e.name.startsWith('KafkaJS'); // connection, timeout, missing metadata
  return new KafkaTransportError(`${what} failed: ${type ?? e.message ?? String(err)}`, type, retriable, { cause: err });
}

function translateFetchError(err: unknown): unknown {
  const e = err as { name?: string; type?: string; topic?: string; partition?: number; message?: string };
  if (e?.name === 'KafkaJSOffsetOutOfRange' && e.topic !== undefined && e.partition !== undefined) return new OffsetOutOfRangeError(e.topic, e.partition);
  if (e?.name === 'KafkaJSBrokerNotFound' || (e?.type !== undefined && STALE_TYPES.has(e.type))) return new StaleMetadataError(e.message ?? String(err));
  return toTransportError('Fetch', err);
}


function toRecord(m: RawMessage): FetchedRecord {
  return { offset: m.offset, key: m.key, value: m.value, headers: m.headers, timestamp: Number(m.timestamp) };
}

/** Past the last record batch the broker returned, including filtered control/aborted records. */
function nextOffsetOf(fetchOffset: string, raw: RawMessage[]): string {
  const last = raw[raw.length - 1];
  if (last === undefined) return fetchOffset;
  const ctx = last.batchContext;
  const end = ctx !== undefined && ctx.firstOffset !== undefined ? BigInt(ctx.firstOffset) + BigInt(ctx.lastOffsetDelta) + 1n : BigInt(last.offset) + 1n;
  const start = BigInt(fetchOffset);
  return (end > start ? end : start).toString();
}
