/**
 * {@link KafkaTransport} over @platformatic/kafka 1.35 (pure TypeScript, maintained; the 1.x line
 * runs on Node 20). It exposes the protocol calls and its connection pool publicly, so this
 * adapter uses only its public API: one `ConnectionPool` per cluster, and the versioned request
 * functions (Metadata v12, Fetch v12, ListOffsets v5, OffsetCommit v8, OffsetFetch v7 (`platformatic-offset-fetch.ts`),
 * FindCoordinator v4, Produce v8, InitProducerId v3, AddPartitionsToTxn v3, EndTxn v3). What a
 * consumer would do on top — dropping records before the fetch offset, control records and
 * aborted transactions — is done here (`read-committed.ts`), as Weir never uses its consumer.
 * Topics are created and deleted with its `Admin` client (CreateTopics v7, DeleteTopics v6; it
 * asks the broker it reaches first and follows NOT_CONTROLLER to the controller), made on first use.
 */

import { oneOf, schemaFor, strictObject, validateOptions } from '@weir/core';
import {
  Admin,
  ConnectionPool,
  ResponseError,
  addPartitionsToTxnV3,
  endTxnV3,
  fetchV12,
  findCoordinatorV4,
  initProducerIdV3,
  listOffsetsV5,
  metadataV12,
  offsetCommitV8,
  produceV8,
  type Connection,
  type ConnectionOptions,
  type MessageRecord,
  type SASLOptions,
} from '@platformatic/kafka';
import { ALSO_RETRIABLE, FATAL_TYPES } from './errors.js';
import { offsetFetchV7 } from './platformatic-offset-fetch.js';
import { decodeFetchedPartition } from './read-committed.js';
import {
  KafkaTransportError,
  OffsetOutOfRangeError,
  StaleMetadataError,
  type FetchedPartition,
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

/** Options of the @platformatic/kafka transport. */
export interface PlatformaticTransportOptions {
  /** `read_committed` (default) hides aborted transactions and waits for the last stable offset. */
  isolationLevel?: 'read_committed' | 'read_uncommitted';
}

const optionsSchema = schemaFor<PlatformaticTransportOptions>()(strictObject({ isolationLevel: oneOf(['read_committed', 'read_uncommitted']).optional() }));

/** The @platformatic/kafka 1.35 transport: one connection pool per cluster and attempt. */
export function platformaticTransport(options: PlatformaticTransportOptions = {}): KafkaTransportFactory {
  validateOptions(optionsSchema, options, 'platformaticTransport options');
  return (cluster) => new PlatformaticTransport(cluster, options.isolationLevel === 'read_uncommitted' ? 0 : 1);
}

const MAX_FETCH_BYTES = 50 << 20;
const GROUP = 0;
const TRANSACTION = 1;
const STALE_TYPES = new Set(['NOT_LEADER_OR_FOLLOWER', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION', 'REPLICA_NOT_AVAILABLE', 'FENCED_LEADER_EPOCH', 'UNKNOWN_LEADER_EPOCH']);
const COORDINATOR_MOVED = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS']);
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const UNKNOWN_TOPIC = 3;
const INVALID_TOPIC = 17;

interface Broker {
  host: string;
  port: number;
}

class PlatformaticTransport implements KafkaTransport {
  private readonly pool: ConnectionPool;
  private readonly bootstrap: Broker[];
  private readonly brokers = new Map<number, Broker>();
  private readonly leadersByTopic = new Map<string, number[]>();
  private readonly tracked = new Set<string>();
  private readonly coordinators = new Map<string, number>();
  private readonly options: ConnectionOptions;
  private admin: Admin | undefined;

  constructor(
    private readonly config: KafkaConnectionOptions,
    private readonly isolationLevel: number,
  ) {
    const options: ConnectionOptions = (this.options = {
      connectTimeout: config.connectionTimeoutMs ?? 1000,
      requestTimeout: config.requestTimeoutMs ?? 10_000,
      // requests of the source and the sink pipeline on one connection per broker
      maxInflights: 64,
    });
    if (config.ssl !== undefined && config.ssl !== false) options.tls = config.ssl === true ? {} : (config.ssl as ConnectionOptions['tls']);
    if (config.sasl !== undefined) {
      const s = config.sasl as { mechanism: string; username?: string; password?: string };
      options.sasl = { ...s, mechanism: s.mechanism.toUpperCase() } as SASLOptions;
    }
    this.pool = new ConnectionPool(config.clientId ?? 'weir', options);
    this.bootstrap = config.brokers.map(parseBroker);
  }

  async connect(): Promise<void> {
    await this.call('Metadata', () => this.loadMetadata([]));
  }

  async listTopics(): Promise<string[]> {
    const meta = await this.call('Metadata', async () => metadataV12.api.async(await this.anyConnection(), null, false, false));
    this.learnBrokers(meta.brokers);
    return meta.topics.flatMap((t) => (!t.isInternal && typeof t.name === 'string' && !t.name.startsWith('__') ? [t.name] : []));
  }

  async partitionCounts(topics: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (topics.length === 0) return out;
    const meta = await this.metadata(topics);
    for (const t of meta.topics) if (t.errorCode === 0 && typeof t.name === 'string') out.set(t.name, t.partitions.length);
    return out;
  }

  async listOffsets(topic: string, spec: OffsetSpec): Promise<Map<number, string>> {
    await this.refreshMetadata([topic]);
    const timestamp = spec === 'earliest' ? -2n : spec === 'latest' ? -1n : BigInt(spec.timestamp);
    const query = async (ts: bigint) => {
      const out = new Map<number, string>();
      const partitions = this.partitionLeaders(topic).map((_, partition) => ({ topic, partition }));
      await Promise.all(
        [...(await this.leaders(partitions, false))].map(async ([node, ps]) => {
          const res = await this.call('ListOffsets', async () =>
            listOffsetsV5.api.async(await this.connectionTo(node), -1, this.isolationLevel, [
              { name: topic, partitions: ps.map((p) => ({ partitionIndex: p.partition, currentLeaderEpoch: -1, timestamp: ts })) },
            ]),
          );
          for (const t of res.topics) for (const p of t.partitions) out.set(p.partitionIndex, p.offset.toString());
        }),
      );
      return out;
    };
    const byTime = await query(timestamp);
    if (typeof spec !== 'object') return byTime;
    const latest = await query(-1n);
    for (const [p, o] of byTime) if (BigInt(o) < 0n) byTime.set(p, latest.get(p) ?? o);
    return byTime;
  }

  async committedOffsets(groupId: string, topic: string): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    const res = await this.atCoordinator(GROUP, groupId, 'OffsetFetch', (c) => offsetFetchV7.async(c, groupId, null, false));
    if (res.errorCode !== 0) throw new KafkaTransportError(`OffsetFetch(${groupId}) failed: error code ${res.errorCode}`, undefined, true);
    for (const t of res.topics) if (t.name === topic) for (const p of t.partitions) if (p.errorCode === 0 && p.committedOffset >= 0n) out.set(p.partitionIndex, p.committedOffset.toString());
    return out;
  }

  async commitOffsets(groupId: string, offsets: Array<TopicPartition & { offset: string }>): Promise<void> {
    if (offsets.length === 0) return;
    const topics = [...groupBy(offsets, (o) => o.topic)].map(([name, ps]) => ({
      name,
      partitions: ps.map((p) => ({ partitionIndex: p.partition, committedOffset: BigInt(p.offset), committedLeaderEpoch: -1 })),
    }));
    await this.atCoordinator(GROUP, groupId, 'OffsetCommit', (c) => offsetCommitV8.api.async(c, groupId, -1, '', null, topics));
  }

  async leaders(partitions: TopicPartition[], refresh: boolean): Promise<Map<number, TopicPartition[]>> {
    const topics = [...new Set(partitions.map((p) => p.topic))];
    if (refresh || topics.some((t) => !this.leadersByTopic.has(t))) await this.refreshMetadata(topics);
    return byLeader(partitions, (p) => this.partitionLeaders(p.topic)[p.partition]);
  }

  async fetch(nodeId: number, request: FetchRequest): Promise<FetchedPartition[]> {
    const maxBytes = request.maxBytesPerPartition ?? 1 << 20;
    const requested = new Map<string, string>();
    for (const p of request.partitions) requested.set(`${p.topic}\u0000${p.partition}`, p.offset);
    const topics = [...groupBy(request.partitions, (p) => p.topic)].map(([topic, ps]) => ({
      topicId: topic, // Fetch v12 names topics (ids came with v13)
      partitions: ps.map((p) => ({ partition: p.partition, currentLeaderEpoch: -1, fetchOffset: BigInt(p.offset), lastFetchedEpoch: -1, partitionMaxBytes: maxBytes })),
    }));
    let response: fetchV12.FetchResponse;
    try {
      const connection = await this.connectionTo(nodeId);
      response = await fetchV12.api.async(connection, request.maxWaitMs, 1, Math.min(maxBytes * request.partitions.length, MAX_FETCH_BYTES), this.isolationLevel, 0, -1, topics, [], '');
    } catch (err) {
      // a partition error fails the whole response: report the first that matters
      const data = responseOf<fetchV12.FetchResponse>(err);
      if (data !== undefined) {
        for (const t of data.responses) {
          for (const p of t.partitions) {
            const type = typeOfCode(err, p.errorCode);
            if (type === 'OFFSET_OUT_OF_RANGE') throw new OffsetOutOfRangeError(t.topicId, p.partitionIndex);
            if (type !== undefined && STALE_TYPES.has(type)) throw new StaleMetadataError(`${type} for ${t.topicId}/${p.partitionIndex}`);
          }
        }
      }
      throw toTransportError('Fetch', err);
    }
    const out: FetchedPartition[] = [];
    for (const t of response.responses) {
      for (const p of t.partitions) {
        const fetchOffset = requested.get(`${t.topicId}\u0000${p.partitionIndex}`);
        if (fetchOffset === undefined) continue;
        out.push(decodeFetchedPartition(t.topicId, p, fetchOffset, this.isolationLevel === 1));
      }
    }
    return out;
  }

  async refreshMetadata(topics: string[] = []): Promise<void> {
    for (const t of topics) this.tracked.add(t);
    await this.call('Metadata', () => this.loadMetadata([...this.tracked]));
  }

  partitionLeaders(topic: string): readonly number[] {
    return this.leadersByTopic.get(topic) ?? [];
  }

  async produce(nodeId: number, request: ProduceRequest): Promise<TopicPartition[]> {
    const records: MessageRecord[] = [];
    const sequences = new Map<string, number>();
    const now = BigInt(Date.now());
    for (const t of request.topics) {
      for (const p of t.partitions) {
        sequences.set(`${t.topic}:${p.partition}`, p.firstSequence);
        for (const m of p.messages) records.push(toRecord(t.topic, p.partition, m, now));
      }
    }
    const options = {
      transactionalId: request.transactionalId ?? null,
      producerId: BigInt(request.producerId),
      producerEpoch: request.producerEpoch,
      compression: CODECS[request.compression ?? 0] ?? 'none',
      // the per-partition first sequence, as the library looks it up
      sequences: { getWithDefault: (key: string, fallback: number) => sequences.get(key) ?? fallback },
    };
    let response: produceV8.ProduceResponse;
    try {
      const connection = await this.connectionTo(nodeId);
      response = (await produceV8.api.async(connection, -1, request.timeoutMs, records, options as never)) as produceV8.ProduceResponse;
    } catch (err) {
      if (err instanceof StaleMetadataError) throw err;
      const data = responseOf<produceV8.ProduceResponse>(err);
      if (data === undefined) throw toTransportError('Produce', err);
      // some partitions failed: fatal ones fail the request, retriable ones are left out (sent again)
      for (const t of data.responses) {
        for (const p of t.partitionResponses) {
          const type = typeOfCode(err, p.errorCode);
          if (p.errorCode !== 0 && (type === undefined || FATAL_TYPES.has(type))) throw toTransportError('Produce', err);
          // forget only this partition's leader: the topic keeps its partition count (the producer partitions by it)
          const leaders = this.leadersByTopic.get(t.name);
          if (type !== undefined && STALE_TYPES.has(type) && leaders !== undefined && p.index < leaders.length) leaders[p.index] = -1;
        }
      }
      response = data;
    }
    const acked: TopicPartition[] = [];
    for (const t of response.responses) for (const p of t.partitionResponses) if (p.errorCode === 0) acked.push({ topic: t.name, partition: p.index });
    return acked;
  }

  async initProducerId(request: { transactionalId?: string; transactionTimeoutMs: number }): Promise<ProducerIdentity> {
    const what = `InitProducerId(${request.transactionalId ?? 'idempotent'})`;
    const send = (c: Connection) => initProducerIdV3.api.async(c, request.transactionalId ?? null, request.transactionTimeoutMs, -1n, -1);
    const r = request.transactionalId === undefined ? await this.call(what, async () => send(await this.anyConnection())) : await this.atCoordinator(TRANSACTION, request.transactionalId, what, send);
    return { producerId: Number(r.producerId), producerEpoch: r.producerEpoch };
  }

  async addPartitionsToTxn(request: { transactionalId: string; producerId: number; producerEpoch: number; topics: Array<{ topic: string; partitions: number[] }> }): Promise<void> {
    const transaction = {
      transactionalId: request.transactionalId,
      producerId: BigInt(request.producerId),
      producerEpoch: request.producerEpoch,
      verifyOnly: false,
      topics: request.topics.map((t) => ({ name: t.topic, partitions: t.partitions })),
    };
    await this.atCoordinator(TRANSACTION, request.transactionalId, `AddPartitionsToTxn(${request.transactionalId})`, (c) => addPartitionsToTxnV3.api.async(c, [transaction]));
  }

  async endTxn(request: { transactionalId: string; commit: boolean; producerId: number; producerEpoch: number }): Promise<void> {
    await this.atCoordinator(TRANSACTION, request.transactionalId, `EndTxn(${request.transactionalId}, ${request.commit ? 'commit' : 'abort'})`, (c) =>
      endTxnV3.api.async(c, request.transactionalId, BigInt(request.producerId), request.producerEpoch, request.commit),
    );
  }

  async createTopics(topics: NewTopic[]): Promise<EnsuredTopic[]> {
    checkNewTopics(topics);
    const admin = this.adminClient();
    const existed = new Set<string>();
    // one request per topic: the admin client sets partitions, replicas and configs per request
    await Promise.all(
      topics.map(async (t) => {
        try {
          await admin.createTopics({
            topics: [t.topic],
            partitions: t.partitions,
            replicas: t.replicationFactor ?? -1,
            configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
          });
        } catch (err) {
          const refused = protocolErrors(err)[0];
          if (refused?.apiId === 'TOPIC_ALREADY_EXISTS') existed.add(t.topic);
          else if (refused?.apiId !== undefined) throw createTopicError(t, refused.apiId, refused.serverErrorMessage ?? refused.message, refused.canRetry === true && !FATAL_TYPES.has(refused.apiId), err);
          else throw toTransportError(`CreateTopics(${t.topic})`, err);
        }
      }),
    );
    return settleTopics(this, topics, existed, this.config.requestTimeoutMs ?? 10_000);
  }

  async deleteTopics(topics: string[]): Promise<string[]> {
    if (topics.length === 0) return [];
    const existing = new Set(await this.listTopics());
    const present = [...new Set(topics)].filter((t) => existing.has(t));
    if (present.length === 0) return [];
    try {
      await this.adminClient().deleteTopics({ topics: present });
    } catch (err) {
      // deleted meanwhile (by another instance) is what was asked for
      const errors = protocolErrors(err);
      if (errors.length === 0 || errors.some((e) => e.apiId !== 'UNKNOWN_TOPIC_OR_PARTITION')) throw toTransportError(`DeleteTopics(${present.join(', ')})`, err);
    }
    for (const t of present) {
      this.tracked.delete(t);
      this.leadersByTopic.delete(t);
    }
    return present;
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.close().catch(() => undefined), this.admin?.close().catch(() => undefined)]);
  }

  /** The admin client, with this transport's connection settings. */
  private adminClient(): Admin {
    this.admin ??= new Admin({
      ...this.options,
      clientId: this.config.clientId ?? 'weir',
      bootstrapBrokers: this.config.brokers,
      // the CreateTopics/DeleteTopics timeout; retries follow NOT_CONTROLLER and connection errors
      timeout: this.config.requestTimeoutMs ?? 10_000,
      retries: 3,
      retryDelay: 100,
    });
    return this.admin;
  }

  // ---- connections, metadata, coordinators --------------------------------------------------

  private async anyConnection(): Promise<Connection> {
    const known = [...this.brokers.values()];
    return this.pool.getFirstAvailable(known.length > 0 ? [...known, ...this.bootstrap] : this.bootstrap);
  }

  private async connectionTo(nodeId: number): Promise<Connection> {
    const broker = this.brokers.get(nodeId);
    if (broker === undefined) throw new StaleMetadataError(`broker ${nodeId} is not in the metadata`);
    try {
      return await this.pool.get(broker);
    } catch (err) {
      throw toTransportError(`connect to broker ${nodeId}`, err);
    }
  }

  private async metadata(topics: string[]): Promise<metadataV12.MetadataResponse> {
    return this.call('Metadata', async () => {
      try {
        return await metadataV12.api.async(await this.anyConnection(), topics, false, false);
      } catch (err) {
        // unknown topics come back as topic errors: the rest of the answer is still good
        const data = responseOf<metadataV12.MetadataResponse>(err);
        if (data === undefined) throw err;
        return data;
      }
    });
  }

  private async loadMetadata(topics: string[]): Promise<void> {
    const meta = await this.metadata(topics);
    this.learnBrokers(meta.brokers);
    for (const t of meta.topics) {
      if (typeof t.name !== 'string') continue;
      if (t.errorCode !== 0 || t.partitions.length === 0) {
        // a topic that does not exist is dropped; a transient topic error keeps what was known
        if (t.errorCode === UNKNOWN_TOPIC || t.errorCode === INVALID_TOPIC) this.leadersByTopic.delete(t.name);
        continue;
      }
      const leaders: number[] = [];
      for (const p of t.partitions) leaders[p.partitionIndex] = p.errorCode === 0 || p.leaderId >= 0 ? p.leaderId : -1;
      for (let i = 0; i < leaders.length; i++) if (leaders[i] === undefined) leaders[i] = -1;
      this.leadersByTopic.set(t.name, leaders);
    }
  }

  private learnBrokers(brokers: Array<{ nodeId: number; host: string; port: number }>): void {
    for (const b of brokers) this.brokers.set(b.nodeId, { host: b.host, port: b.port });
  }

  /** Send a request to the coordinator of `key`, finding it first (again after it moved). */
  private async atCoordinator<R>(keyType: number, key: string, what: string, send: (c: Connection) => Promise<R>): Promise<R> {
    const k = `${keyType}\u0000${key}`;
    return this.call(what, async () => {
      let node = this.coordinators.get(k);
      if (node === undefined || !this.brokers.has(node)) {
        const res = await findCoordinatorV4.api.async(await this.anyConnection(), keyType, [key]);
        const c = res.coordinators[0]!;
        this.brokers.set(c.nodeId, { host: c.host, port: c.port });
        this.coordinators.set(k, (node = c.nodeId));
      }
      try {
        return await send(await this.pool.get(this.brokers.get(node)!));
      } catch (err) {
        const type = protocolType(err);
        if (type === undefined || COORDINATOR_MOVED.has(type)) this.coordinators.delete(k);
        throw err;
      }
    });
  }

  private async call<R>(what: string, fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof KafkaTransportError || err instanceof StaleMetadataError || err instanceof OffsetOutOfRangeError) throw err;
      throw toTransportError(what, err);
    }
  }
}

function parseBroker(s: string): Broker {
  const i = s.lastIndexOf(':');
  return { host: s.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(s.slice(i + 1)) };
}

function toRecord(topic: string, partition: number, m: ProduceRequest['topics'][number]['partitions'][number]['messages'][number], now: bigint): MessageRecord {
  let headers: Map<Buffer, Buffer> | undefined;
  if (m.headers !== undefined) {
    headers = new Map();
    for (const [k, v] of Object.entries(m.headers)) for (const one of Array.isArray(v) ? v : [v]) headers.set(Buffer.from(k), typeof one === 'string' ? Buffer.from(one) : one);
  }
  return {
    topic,
    partition,
    key: m.key ?? undefined,
    value: (typeof m.value === 'string' ? Buffer.from(m.value) : m.value) as Buffer,
    headers,
    timestamp: m.timestamp === undefined ? now : BigInt(m.timestamp),
  };
}

/** The parsed response a `ResponseError` carries (partition-level errors fail the whole call). */
function responseOf<R>(err: unknown): R | undefined {
  return err instanceof ResponseError ? ((err as unknown as { response?: R }).response ?? undefined) : undefined;
}

interface ProtocolErrorShape {
  apiId?: string;
  apiCode?: number;
  canRetry?: boolean;
  code?: string;
  errors?: ProtocolErrorShape[];
  message?: string;
  serverErrorMessage?: string | null;
}

/** The protocol errors of the last attempt in `err` (a response error's per-topic errors; of a client's retries, the last one's). */
function protocolErrors(err: unknown): Array<ProtocolErrorShape & { apiId: string }> {
  let last = err as ProtocolErrorShape | undefined;
  while (last?.code === 'PLT_KFK_MULTIPLE' && (last.errors?.length ?? 0) > 0) last = last.errors![last.errors!.length - 1];
  const out: Array<ProtocolErrorShape & { apiId: string }> = [];
  const visit = (e: ProtocolErrorShape | undefined, depth: number) => {
    if (e === undefined || e === null || depth > 4) return;
    if (e.apiId !== undefined && e.apiId !== 'NONE') out.push(e as ProtocolErrorShape & { apiId: string });
    for (const inner of e.errors ?? []) visit(inner, depth + 1);
  };
  visit(last, 0);
  return out;
}

/** The Kafka error name of a protocol error (the first one of a multi-error response). */
function protocolType(err: unknown): string | undefined {
  const e = err as ProtocolErrorShape;
  if (e?.apiId !== undefined) return e.apiId;
  for (const inner of e?.errors ?? []) if (inner.apiId !== undefined && inner.apiId !== 'NONE') return inner.apiId;
  return undefined;
}

/** The error name for a numeric code, looked up among the response's errors. */
function typeOfCode(err: unknown, code: number): string | undefined {
  if (code === 0) return undefined;
  for (const inner of (err as ProtocolErrorShape).errors ?? []) if (inner.apiCode === code) return inner.apiId;
  return `KAFKA_ERROR_${code}`;
}

function toTransportError(what: string, err: unknown): KafkaTransportError {
  // already classified (e.g. a failed connect inside a Produce): wrapping it again would lose
  // `retriable` and turn a broker that went away into a failed job instead of a retry
  if (err instanceof KafkaTransportError) return err;
  const e = err as ProtocolErrorShape;
  const type = protocolType(err);
  let retriable: boolean;
  if (type !== undefined) {
    const inner = (e.errors ?? []).filter((x) => x.apiId !== undefined && x.apiId !== 'NONE');
    const canRetry = e.apiId !== undefined ? e.canRetry === true : inner.length > 0 && inner.every((x) => x.canRetry === true || ALSO_RETRIABLE.has(x.apiId!));
    retriable = !FATAL_TYPES.has(type) && (canRetry || ALSO_RETRIABLE.has(type));
  } else {
    // network errors, timeouts, closed connections: the same request may succeed on a new connection
    retriable = e?.code === 'PLT_KFK_NETWORK' || e?.code === 'PLT_KFK_TIMEOUT' || e?.code === 'PLT_KFK_MULTIPLE' || (err instanceof Error && /ECONN|EPIPE|ETIMEDOUT|closed/i.test(err.message));
  }
  return new KafkaTransportError(`${what} failed: ${type ?? e?.message ?? String(err)}`, type, retriable, { cause: err });
}
