/**
 * A producer for one cluster: partitions messages (Java-compatible default or a custom
 * partitioner), keeps one ordered queue per partition, and sends at most one request per leader
 * broker and one batch per partition at a time. Each batch keeps its producer sequence across
 * retries, so a retried request that had partly succeeded is de-duplicated by the broker, and
 * every partition's acknowledgement is checked individually: a partition missing from a
 * response, or whose leader moved, is sent again (the KafkaJS 2.2.4 `send()` retry skips brokers
 * that answered the first attempt and can drop such records). It speaks to the cluster only
 * through a {@link KafkaTransport}, so it runs on every transport adapter.
 */

import { errorText, isRetriable } from '../transport/errors.js';
import type { KafkaTransport, ProduceMessage } from '../transport/types.js';
import { javaPartitionForKey } from './murmur2.js';
import { addPartitionsToTxn, initProducerId, sleep, type ProducerIdentity } from './transactions.js';

/** A message with its topic, before partitioning. */
export interface OutMessage extends ProduceMessage {
  topic: string;
  /** Explicit partition (wins over the partitioner). */
  partition?: number;
}

/** Chooses the partition of a message; `partitionCount` is the topic's on this cluster. */
export type PartitionChooser = (message: OutMessage, partitionCount: number) => number;

export interface ClusterProducerOptions {
  transport: KafkaTransport;
  partitioner?: PartitionChooser;
  /** Transactional id prefix use: set per transaction with `beginTransaction`. */
  transactionTimeoutMs: number;
  /** Produce request timeout on the broker (ms). */
  requestTimeoutMs: number;
  /** A batch not acknowledged within this time fails the producer (ms). */
  deliveryTimeoutMs: number;
  /** Most messages per partition in one request. */
  maxBatchMessages: number;
  compression?: number;
  /** Request outcomes, for circuit breakers. */
  onRequest?: (ok: boolean, err?: unknown) => void;
  /**
   * A batch exceeded the delivery timeout. Without this hook the producer fails (every pending
   * send rejects); with it the owner decides (e.g. `abandon` and re-route the messages).
   */
  onStuck?: (err: Error) => void;
}

interface Tracker {
  remaining: number;
  resolve: () => void;
  reject: (err: Error) => void;
  settled: boolean;
}

interface Entry {
  messages: OutMessage[];
  tracker: Tracker;
  /** When the entry was accepted (delivery timeout). */
  at: number;
}

interface InFlight {
  messages: OutMessage[];
  parts: Array<{ tracker: Tracker; count: number }>;
  firstSequence: number;
  since: number;
}

interface PartitionQueue {
  topic: string;
  partition: number;
  entries: Entry[];
  queued: number;
  inflight: InFlight | undefined;
  nextSequence: number;
}

/**
 * Most a record's timestamp may differ from its batch's first one (ms). A record batch stores
 * timestamps as deltas from the first; @platformatic/kafka's encoder (@platformatic/dynamic-buffer
 * 0.3.1, `int64ZigZagEncode` shifting by 31 instead of 63) corrupts deltas of 2^31 ms (24.8 days)
 * or more, so batches are cut before that; a minute of margin for records without a timestamp,
 * which the encoder stamps a little later than `take` does.
 */
const MAX_TIMESTAMP_SPAN_MS = 2 ** 31 - 60_000;

/** How many leading messages (at most `room`) lie within the timestamp span of a batch starting at `firstTimestamp`. */
function withinTimestampSpan(messages: readonly OutMessage[], firstTimestamp: number, now: number, room: number): number {
  const n = Math.min(room, messages.length);
  for (let i = 0; i < n; i++) {
    const delta = (messages[i]!.timestamp ?? now) - firstTimestamp;
    if (delta >= MAX_TIMESTAMP_SPAN_MS || delta <= -MAX_TIMESTAMP_SPAN_MS) return i;
  }
  return n;
}

/** How long a topic the cluster reports as unknown is waited for (metadata propagation) before the send fails. */
const MISSING_TOPIC_GRACE_MS = 3_000;

/** A send waiting for topic metadata; `abandoned` once its messages were handed back. */
interface GatedSend {
  messages: OutMessage[];
  abandoned: Error | undefined;
}

/** Thrown to pending sends when the producer gave up (failure, abandon, close). */
export class ProducerFailedError extends Error {}

export class ClusterProducer {
  readonly transport: KafkaTransport;
  private readonly o: ClusterProducerOptions;
  private readonly queues = new Map<string, PartitionQueue>();
  private busyBrokers = new Set<number>();
  /** Bumped whenever pending work is dropped or the producer id changes. */
  private session = 0;
  private readonly knownTopics = new Set<string>();
  private readonly roundRobin = new Map<string, number>();
  private gate: Promise<void> | undefined;
  private identity: ProducerIdentity | undefined;
  private transactionalId: string | undefined;
  private readonly txnPartitions = new Set<string>();
  private failure: Error | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private metadataStale = false;
  private outstanding = 0;
  /** Messages of sends waiting behind a metadata load. */
  private gated = 0;
  private readonly gatedSends = new Set<GatedSend>();
  private idleWaiters: Array<() => void> = [];
  private roomWaiters: Array<{ n: number; resolve: () => void }> = [];
  private closed = false;

  constructor(options: ClusterProducerOptions) {
    this.o = options;
    this.transport = options.transport;
  }

  /** Messages accepted but not yet acknowledged (including those waiting for topic metadata). */
  get pending(): number {
    return this.outstanding + this.gated;
  }

  get failed(): Error | undefined {
    return this.failure;
  }

  get producer(): ProducerIdentity | undefined {
    return this.identity;
  }

  async connect(): Promise<void> {
    await this.transport.connect();
  }

  /**
   * Start a producer session: idempotent (no id) or a transaction under `transactionalId`
   * (InitProducerId fences older producers of the id and aborts their open transaction).
   * Only allowed when nothing is pending.
   */
  async begin(transactionalId: string | undefined, timeoutMs: number): Promise<ProducerIdentity> {
    if (this.outstanding > 0) throw new Error('cannot start a producer session while sends are pending');
    this.identity = undefined;
    this.newSession();
    this.identity = await initProducerId(this.transport, transactionalId, this.o.transactionTimeoutMs, timeoutMs);
    this.transactionalId = transactionalId;
    this.txnPartitions.clear();
    for (const q of this.queues.values()) q.nextSequence = 0;
    this.failure = undefined;
    return this.identity;
  }

  /** True when the current transaction received records. */
  get transactionHasData(): boolean {
    return this.txnPartitions.size > 0;
  }

  /** Send a batch of messages; resolves once every one is acknowledged. */
  send(messages: OutMessage[]): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (messages.length === 0) return Promise.resolve();
    let unknown: string[] | undefined;
    for (let i = 0; i < messages.length; i++) {
      const t = messages[i]!.topic;
      if (!this.knownTopics.has(t) && !(unknown ??= []).includes(t)) unknown.push(t);
    }
    if (unknown === undefined && this.gate === undefined) return this.enqueue(messages);
    // a send that must load metadata first holds back later sends, so order is kept
    const topics = unknown ?? [];
    let result: Promise<void> | undefined;
    const g: GatedSend = { messages, abandoned: undefined };
    this.gatedSends.add(g);
    this.gated += messages.length;
    const settle = () => {
      if (g.abandoned === undefined && this.gatedSends.delete(g)) this.gated -= messages.length;
    };
    const step = (this.gate ?? Promise.resolve())
      .then(() => (topics.length > 0 ? this.loadTopicsRetrying(topics, g) : undefined))
      .then(
        () => {
          if (g.abandoned !== undefined) throw g.abandoned;
          settle();
          result = this.enqueue(messages);
        },
        (err: unknown) => {
          settle();
          throw g.abandoned ?? err;
        },
      );
    const gate = step.catch(() => undefined);
    this.gate = gate;
    void gate.then(() => {
      if (this.gate === gate) this.gate = undefined;
    });
    return step.then(() => result!);
  }

  /** Resolves when nothing is pending (everything acknowledged) or rejects if the producer failed. */
  flush(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.gate !== undefined) return this.gate.then(() => this.flush());
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve)).then(() => this.flush());
  }

  /** Resolves once fewer than `n` messages are pending (or the producer failed or was abandoned). */
  below(n: number): Promise<void> {
    if (this.pending < n || this.failure !== undefined) return Promise.resolve();
    if (this.outstanding < n && this.gate !== undefined) return this.gate.then(() => this.below(n));
    return new Promise<void>((resolve) => this.roomWaiters.push({ n, resolve }));
  }

  /**
   * Give up on everything pending: returns the unacknowledged messages (per partition in order)
   * and rejects their sends. The producer must `begin` again before the next send.
   */
  abandon(reason: Error): OutMessage[] {
    const out: OutMessage[] = [];
    for (const q of this.queues.values()) {
      if (q.inflight !== undefined) for (const m of q.inflight.messages) out.push(m);
      for (const e of q.entries) for (const m of e.messages) out.push(m);
    }
    // sends still waiting for metadata are newer than everything queued
    for (const g of this.gatedSends) {
      g.abandoned = reason;
      for (const m of g.messages) out.push(m);
    }
    this.gatedSends.clear();
    this.gated = 0;
    this.failAll(reason);
    this.failure = undefined;
    this.identity = undefined;
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.failAll(new ProducerFailedError('producer closed'));
    await this.transport.close().catch(() => undefined);
  }

  // ---- internals --------------------------------------------------------------------

  /** Load metadata, retrying retriable errors (each counts as a failed request) until the delivery timeout. */
  private async loadTopicsRetrying(topics: string[], g: GatedSend): Promise<void> {
    const t0 = Date.now();
    let stuck = false;
    for (;;) {
      if (g.abandoned !== undefined) throw g.abandoned;
      try {
        return await this.loadTopics(topics);
      } catch (err) {
        if (g.abandoned !== undefined) throw err;
        if ((err as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') {
          // the cluster answered: a missing topic is a configuration error, not a cluster failure
          if (Date.now() - t0 > Math.min(MISSING_TOPIC_GRACE_MS, this.o.deliveryTimeoutMs)) throw new Error(`topic ${topics.join(', ')} does not exist`, { cause: err });
          await sleep(100);
          continue;
        }
        if (!isRetriable(err)) throw err;
        this.o.onRequest?.(false, err);
        if (Date.now() - t0 > this.o.deliveryTimeoutMs) {
          const e = new ProducerFailedError(`metadata for ${topics.join(', ')} not available within ${this.o.deliveryTimeoutMs} ms: ${errorText(err)}`, { cause: err });
          if (this.o.onStuck === undefined || stuck) throw e;
          stuck = true;
          this.o.onStuck(e); // the owner may abandon this send (then the loop ends)
        }
        await sleep(100);
      }
    }
  }

  private async loadTopics(topics: string[]): Promise<void> {
    // throws while the cluster is unreachable; only a topic missing from a fresh answer does not exist
    await this.transport.refreshMetadata(topics);
    for (const t of topics) {
      if (this.transport.partitionLeaders(t).length === 0) {
        throw Object.assign(new Error(`topic ${t} does not exist`), { type: 'UNKNOWN_TOPIC_OR_PARTITION' });
      }
      this.knownTopics.add(t);
    }
  }

  private enqueue(messages: OutMessage[]): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    let tracker!: Tracker;
    const done = new Promise<void>((resolve, reject) => {
      tracker = { remaining: messages.length, resolve, reject, settled: false };
    });
    const byQueue = new Map<PartitionQueue, OutMessage[]>();
    // per topic of this batch: its partition count and, by partition, the queue and its new messages
    const topics = new Map<string, { count: number; lists: Array<OutMessage[] | undefined> }>();
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      let t = topics.get(m.topic);
      if (t === undefined) topics.set(m.topic, (t = { count: this.transport.partitionLeaders(m.topic).length, lists: [] }));
      const p = this.partitionOf(m, t.count);
      if (!(p >= 0 && p < t.count)) return Promise.reject(new Error(`partition ${p} of ${m.topic} out of range (${t.count} partitions)`));
      let list = t.lists[p];
      if (list === undefined) byQueue.set(this.queue(m.topic, p), (list = t.lists[p] = []));
      list.push(m);
    }
    const at = Date.now();
    for (const [q, list] of byQueue) {
      q.entries.push({ messages: list, tracker, at });
      q.queued += list.length;
    }
    this.outstanding += messages.length;
    this.pump();
    return done;
  }

  private partitionOf(m: OutMessage, count: number): number {
    if (m.partition !== undefined) return m.partition;
    if (this.o.partitioner !== undefined) return this.o.partitioner(m, count);
    if (m.key !== null && m.key !== undefined) return javaPartitionForKey(m.key, count);
    const n = this.roundRobin.get(m.topic) ?? 0;
    this.roundRobin.set(m.topic, n + 1);
    return n % count;
  }

  private queue(topic: string, partition: number): PartitionQueue {
    const k = `${topic}\u0000${partition}`;
    let q = this.queues.get(k);
    if (q === undefined) {
      q = { topic, partition, entries: [], queued: 0, inflight: undefined, nextSequence: 0 };
      this.queues.set(k, q);
    }
    return q;
  }

  private pump(): void {
    if (this.closed || this.failure !== undefined || this.retryTimer !== undefined) return;
    if (this.metadataStale) {
      this.metadataStale = false;
      this.transport
        .refreshMetadata()
        .then(() => this.pump())
        .catch((err) => this.retryLater(err, [...this.queues.values()]));
      return;
    }
    const byLeader = new Map<number, PartitionQueue[]>();
    for (const q of this.queues.values()) {
      if (q.inflight === undefined && q.queued === 0) continue;
      const leader = this.transport.partitionLeaders(q.topic)[q.partition];
      if (leader === undefined || leader < 0) {
        this.metadataStale = true;
        continue;
      }
      if (this.busyBrokers.has(leader)) continue;
      let list = byLeader.get(leader);
      if (list === undefined) byLeader.set(leader, (list = []));
      list.push(q);
    }
    for (const [leader, qs] of byLeader) void this.sendTo(leader, qs);
    if (this.metadataStale && byLeader.size === 0 && this.busyBrokers.size === 0) this.retryLater(new Error('no leader'), []);
  }

  private retryLater(err: unknown, queues: PartitionQueue[]): void {
    this.o.onRequest?.(false, err);
    if (this.checkDeadline(queues, err)) return;
    if (this.retryTimer !== undefined || this.closed) return;
    this.metadataStale = true;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, 100);
  }

  /** Fail everything when a batch waited longer than the delivery timeout. */
  private checkDeadline(queues: PartitionQueue[], err: unknown): boolean {
    const now = Date.now();
    for (const q of queues) {
      const since = q.inflight?.since ?? q.entries[0]?.at;
      if (since !== undefined && now - since > this.o.deliveryTimeoutMs) {
        const e = new ProducerFailedError(`delivery to ${q.topic}/${q.partition} timed out after ${this.o.deliveryTimeoutMs} ms: ${errorText(err)}`, { cause: err });
        if (this.o.onStuck !== undefined) this.o.onStuck(e);
        else this.failAll(e);
        return true;
      }
    }
    return false;
  }

  private take(q: PartitionQueue): InFlight {
    let messages: OutMessage[] = [];
    const parts: InFlight['parts'] = [];
    const max = this.o.maxBatchMessages;
    const first = q.entries[0]?.at ?? Date.now();
    const now = Date.now();
    let firstTimestamp: number | undefined;
    while (q.entries.length > 0 && messages.length < max) {
      const e = q.entries[0]!;
      firstTimestamp ??= e.messages[0]!.timestamp ?? now;
      const fit = withinTimestampSpan(e.messages, firstTimestamp, now, max - messages.length);
      if (fit === 0) break; // the next message starts the next batch
      if (fit === e.messages.length) {
        q.entries.shift();
        // the first entry's array is owned by this queue: take it as is instead of copying it
        if (messages.length === 0) messages = e.messages;
        else for (let i = 0; i < e.messages.length; i++) messages.push(e.messages[i]!);
        parts.push({ tracker: e.tracker, count: e.messages.length });
      } else {
        const head = e.messages.splice(0, fit);
        for (let i = 0; i < head.length; i++) messages.push(head[i]!);
        parts.push({ tracker: e.tracker, count: head.length });
        break; // the batch is full, or the timestamp span ends it
      }
    }
    q.queued -= messages.length;
    const inflight = { messages, parts, firstSequence: q.nextSequence, since: first };
    q.nextSequence += messages.length;
    return inflight;
  }

  private async sendTo(leader: number, qs: PartitionQueue[]): Promise<void> {
    // a request outliving its session (abandon, failure, new producer id) must not touch the new one
    const session = this.session;
    const busy = this.busyBrokers;
    busy.add(leader);
    const batches = qs.map((q) => (q.inflight ??= this.take(q)));
    let ok = false;
    try {
      const id = this.identity;
      if (this.transactionalId !== undefined && id !== undefined) {
        const fresh = qs.filter((q) => !this.txnPartitions.has(`${q.topic}\u0000${q.partition}`));
        if (fresh.length > 0) {
          const topics = new Map<string, number[]>();
          for (const q of fresh) {
            const list = topics.get(q.topic);
            if (list === undefined) topics.set(q.topic, [q.partition]);
            else list.push(q.partition);
          }
          await addPartitionsToTxn(this.transport, this.transactionalId, id, [...topics].map(([topic, partitions]) => ({ topic, partitions })), this.o.deliveryTimeoutMs);
          if (this.session !== session) return;
          for (const q of fresh) this.txnPartitions.add(`${q.topic}\u0000${q.partition}`);
        }
      }
      const byTopic = new Map<string, number[]>();
      qs.forEach((q, i) => {
        const list = byTopic.get(q.topic);
        if (list === undefined) byTopic.set(q.topic, [i]);
        else list.push(i);
      });
      const acknowledged = await this.transport.produce(leader, {
        transactionalId: this.transactionalId,
        producerId: id?.producerId ?? -1,
        producerEpoch: id?.producerEpoch ?? 0,
        timeoutMs: this.o.requestTimeoutMs,
        compression: this.o.compression,
        topics: [...byTopic].map(([topic, idx]) => ({
          topic,
          partitions: idx.map((i) => ({ partition: qs[i]!.partition, firstSequence: id === undefined ? 0 : batches[i]!.firstSequence, messages: batches[i]!.messages })),
        })),
      });
      if (this.session !== session) return;
      // check every partition's acknowledgement; anything not acknowledged is sent again
      const acked = new Set<string>();
      for (const p of acknowledged) acked.add(`${p.topic}\u0000${p.partition}`);
      let missing = false;
      qs.forEach((q, i) => {
        if (acked.has(`${q.topic}\u0000${q.partition}`) && q.inflight === batches[i]) this.ack(q);
        else missing = true;
      });
      if (missing) this.metadataStale = true;
      ok = true;
      this.o.onRequest?.(true);
    } catch (err) {
      if (this.session !== session) return;
      if (!isRetriable(err)) {
        this.o.onRequest?.(false, err);
        this.failAll(new ProducerFailedError(`produce failed: ${errorText(err)}`, { cause: err }));
      } else {
        busy.delete(leader);
        this.retryLater(err, qs);
      }
      return;
    } finally {
      busy.delete(leader);
    }
    if (ok) this.pump();
  }

  private ack(q: PartitionQueue): void {
    const f = q.inflight!;
    q.inflight = undefined;
    this.outstanding -= f.messages.length;
    for (const { tracker, count } of f.parts) {
      tracker.remaining -= count;
      if (tracker.remaining === 0 && !tracker.settled) {
        tracker.settled = true;
        tracker.resolve();
      }
    }
    if (this.roomWaiters.length > 0) this.wakeRoom();
    if (this.outstanding === 0) this.wakeIdle();
  }

  private wakeRoom(): void {
    const keep: Array<{ n: number; resolve: () => void }> = [];
    for (const w of this.roomWaiters) {
      if (this.pending < w.n || this.failure !== undefined) w.resolve();
      else keep.push(w);
    }
    this.roomWaiters = keep;
  }

  private newSession(): void {
    this.session++;
    this.busyBrokers = new Set<number>();
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private failAll(err: Error): void {
    this.newSession();
    this.failure = err;
    for (const q of this.queues.values()) {
      const trackers = [...(q.inflight?.parts.map((p) => p.tracker) ?? []), ...q.entries.map((e) => e.tracker)];
      for (const t of trackers) {
        if (!t.settled) {
          t.settled = true;
          t.reject(err);
        }
      }
      q.entries = [];
      q.queued = 0;
      q.inflight = undefined;
      q.nextSequence = 0;
    }
    this.outstanding = 0;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.wakeIdle();
  }

  private wakeIdle(): void {
    this.wakeRoom();
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }
}
