/**
 * {@link KafkaClusterClient} over KafkaJS 2.2.4: the public admin client for topics, offsets and
 * group offsets, and KafkaJS's internal cluster/broker objects for leader lookups, Fetch
 * requests and offset commits (no consumer group membership is ever used for reading).
 */

import { Kafka, logLevel, type Admin } from 'kafkajs';
import { oneOf, schemaFor, strictObject, validateOptions } from '@weir/core';
import { Batch, createInternalCluster, type InternalCluster, type RawMessage } from './kafkajs-internals.js';
import {
  OffsetOutOfRangeError,
  StaleMetadataError,
  type FetchedPartition,
  type FetchedRecord,
  type FetchRequest,
  type KafkaClientFactory,
  type KafkaClusterClient,
  type KafkaConnectionOptions,
  type OffsetSpec,
  type TopicPartition,
} from './types.js';

/** KafkaJS client options beyond the connection (isolation level of fetches). */
export interface KafkaJsClientOptions {
  /** `read_committed` (default) hides aborted transactions and waits for the last stable offset. */
  isolationLevel?: 'read_committed' | 'read_uncommitted';
}

const optionsSchema = schemaFor<KafkaJsClientOptions>()(strictObject({ isolationLevel: oneOf(['read_committed', 'read_uncommitted']).optional() }));

/** Upper bound of one Fetch response (Kafka's `fetch.max.bytes` default). */
const MAX_FETCH_BYTES = 50 << 20;

const STALE_TYPES = new Set(['NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION', 'REPLICA_NOT_AVAILABLE', 'FENCED_LEADER_EPOCH']);

/** The default client factory: one KafkaJS `Kafka` per cluster and attempt. */
export function kafkaJsClientFactory(options: KafkaJsClientOptions = {}): KafkaClientFactory {
  validateOptions(optionsSchema, options, 'kafkaJsClientFactory options');
  return (cluster) => new KafkaJsClusterClient(cluster, options.isolationLevel === 'read_uncommitted' ? 0 : 1);
}

class KafkaJsClusterClient implements KafkaClusterClient {
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly cluster: InternalCluster;
  private readonly targetTopics = new Set<string>();

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
      // one quick retry inside KafkaJS; the source retries forever with its own capped backoff
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 },
      logLevel: logLevel.NOTHING,
    });
    this.admin = this.kafka.admin();
    this.cluster = createInternalCluster(this.kafka, isolationLevel);
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
    const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
    for (const o of offsets) {
      let list = byTopic.get(o.topic);
      if (list === undefined) byTopic.set(o.topic, (list = []));
      list.push({ partition: o.partition, offset: o.offset });
    }
    const cluster = this.cluster as InternalCluster & {
      findGroupCoordinator(a: { groupId: string }): Promise<{ offsetCommit(r: object): Promise<unknown> }>;
    };
    const coordinator = await cluster.findGroupCoordinator({ groupId });
    await coordinator.offsetCommit({
      groupId,
      groupGenerationId: -1,
      memberId: '',
      retentionTime: -1,
      topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
    });
  }

  async leaders(partitions: TopicPartition[], refresh: boolean): Promise<Map<number, TopicPartition[]>> {
    await this.ensureMetadata([...new Set(partitions.map((p) => p.topic))], refresh);
    const byTopic = new Map<string, number[]>();
    for (const p of partitions) {
      let list = byTopic.get(p.topic);
      if (list === undefined) byTopic.set(p.topic, (list = []));
      list.push(p.partition);
    }
    const out = new Map<number, TopicPartition[]>();
    for (const [topic, parts] of byTopic) {
      let leaders: Record<string, number[]>;
      try {
        leaders = this.cluster.findLeaderForPartitions(topic, parts);
      } catch {
        continue; // no leader right now: the partitions are left out and retried later
      }
      for (const [node, ps] of Object.entries(leaders)) {
        const nodeId = Number(node);
        let list = out.get(nodeId);
        if (list === undefined) out.set(nodeId, (list = []));
        for (const partition of ps) list.push({ topic, partition });
      }
    }
    return out;
  }

  async fetch(nodeId: number, request: FetchRequest): Promise<FetchedPartition[]> {
    const maxBytes = request.maxBytesPerPartition ?? 1 << 20;
    const topics = new Map<string, Array<{ partition: number; fetchOffset: string; maxBytes: number }>>();
    const requested = new Map<string, string>();
    for (const p of request.partitions) {
      let list = topics.get(p.topic);
      if (list === undefined) topics.set(p.topic, (list = []));
      list.push({ partition: p.partition, fetchOffset: p.offset, maxBytes });
      requested.set(`${p.topic}\u0000${p.partition}`, p.offset);
    }
    let response;
    try {
      const broker = await this.cluster.findBroker({ nodeId });
      response = await broker.fetch({
        replicaId: -1,
        isolationLevel: this.isolationLevel,
        maxWaitTime: request.maxWaitMs,
        minBytes: 1,
        maxBytes: Math.min(maxBytes * request.partitions.length, MAX_FETCH_BYTES),
        topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
      });
    } catch (err) {
      throw translateError(err);
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

  async close(): Promise<void> {
    await Promise.allSettled([this.admin.disconnect(), this.cluster.disconnect()]);
  }
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

function translateError(err: unknown): unknown {
  const e = err as { name?: string; type?: string; topic?: string; partition?: number; message?: string };
  if (e?.name === 'KafkaJSOffsetOutOfRange' && e.topic !== undefined && e.partition !== undefined) return new OffsetOutOfRangeError(e.topic, e.partition);
  if (e?.name === 'KafkaJSBrokerNotFound' || (e?.type !== undefined && STALE_TYPES.has(e.type))) return new StaleMetadataError(e.message ?? String(err));
  return err;
}
