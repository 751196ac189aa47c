import { resolveLimits, type BrokerLimits } from '../broker/limits.js';
import type { FailRequestsSpec, HangRequestsSpec, LatencySpec } from '../faults/faults.js';
import type { AuthorizerOptions } from '../security/acls.js';
import { resolveListeners, usesTls, type ListenerSpec, type SecurityProtocol } from '../security/listeners.js';
import { SaslUsers, type SaslMechanism } from '../security/sasl.js';
import { tlsServerOptions, type TlsOptions } from '../security/tls.js';
import { Cluster, type ClusterLogger } from './cluster.js';

/** Options of {@link startCluster}. */
export interface StartClusterOptions {
  /** Number of brokers (ids 0..n-1). Default 1. */
  brokers?: number;
  /** Interface to listen on and to advertise. Default '127.0.0.1'. */
  host?: string;
  /** Broker b listens on basePort + b; 0 (default) = ephemeral ports. For brokers without `listeners`. */
  basePort?: number;
  /**
   * Listeners per broker, each on its own port: `{ broker, protocol, port, name? }` with protocol
   * PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. A broker without any gets one on basePort + id
   * (SASL_PLAINTEXT when `sasl` is set, else PLAINTEXT).
   */
  listeners?: ListenerSpec[];
  /** Certificates of SSL / SASL_SSL listeners (PEM inline or file paths). */
  tls?: TlsOptions;
  /** Persist logs, topics, coordinator state, ACLs and dynamic broker configs here (and restore them on start). Default: memory only. */
  dataDir?: string;
  /** Topics created at start (skipped when they already exist in `dataDir`). */
  topics?: Array<{ name: string; partitions?: number; configs?: Record<string, string>; replicationFactor?: number }>;
  /** Create unknown topics named in Metadata requests. Default false. */
  autoCreateTopics?: boolean;
  /** Partitions of topics created with -1 / auto-created. Default 1. */
  defaultPartitions?: number;
  /**
   * SASL users (name -> password) checked by PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 (or the
   * `mechanisms` listed). SASL listeners require authentication; without users PLAIN accepts anyone.
   */
  sasl?: { users: Record<string, string>; mechanisms?: SaslMechanism[] };
  /**
   * Enforce ACLs (off by default): `{ superUsers?, allowEveryoneIfNoAclFound?, acls? }`. Requests
   * then need ACLs as in Kafka and are refused with TOPIC_/GROUP_/TRANSACTIONAL_ID_/CLUSTER_AUTHORIZATION_FAILED.
   */
  authorizer?: AuthorizerOptions | boolean;
  /** Frame size, in-flight and connection limits (see BrokerLimits for the defaults). */
  limits?: Partial<BrokerLimits>;
  /** group.initial.rebalance.delay.ms. Default 0 (tests want fast joins). */
  groupInitialRebalanceDelayMs?: number;
  /** Cluster id reported in Metadata. Default: random (or the one stored in `dataDir`). */
  clusterId?: string;
  /** Receives broker log lines. Default: silent. */
  logger?: ClusterLogger;
  /** How often retention.ms / retention.bytes are enforced. Default 1000 ms. */
  retentionCheckIntervalMs?: number;
  /** How long a partition reassignment stays ongoing (ListPartitionReassignments shows it). Default 0: done at once. */
  reassignmentDelayMs?: number;
}

/** A broker of an embedded cluster. */
export interface EmbeddedBroker {
  readonly id: number;
  readonly host: string;
  /** Port of the broker's first listener. */
  readonly port: number;
  /** Every listener: name, security protocol and port. */
  readonly listeners: ReadonlyArray<{ name: string; protocol: SecurityProtocol; port: number }>;
  /** Whether it accepts connections. */
  readonly alive: boolean;
}

/** A running embedded Kafka cluster with admin helpers and fault injection. */
export interface EmbeddedCluster {
  readonly clusterId: string;
  /** 'host:port' of every broker's first listener (running or not). */
  readonly bootstrapServers: string[];
  /** 'host:port' of the brokers that have a listener of this name (by default its protocol, e.g. 'SASL_SSL'). */
  bootstrapServersFor(listener: string): string[];
  readonly brokers: readonly EmbeddedBroker[];
  /** False for a cluster from {@link startCluster}; true for an external one from `testCluster()`. */
  readonly external: boolean;
  createTopic(name: string, partitions?: number, configs?: Record<string, string>): Promise<void>;
  deleteTopic(name: string): Promise<void>;
  createPartitions(name: string, total: number): Promise<void>;
  /** Replicas of every partition of a topic (assignment order, preferred leader first). */
  replicasOf(topic: string): number[][];
  /** Names of the existing topics. */
  topicNames(): string[];
  /** High watermark of every partition of a topic. */
  highWatermarks(topic: string): number[];
  /** Broker id currently coordinating a group id or transactional id (-1 when no broker is live). */
  coordinatorOf(key: string): number;
  /** Broker id currently leading a partition. */
  leaderOf(topic: string, partition: number): number;
  /** Committed offset of a group for one partition (undefined when none). */
  committedOffset(groupId: string, topic: string, partition: number): number | undefined;

  /** Stops one broker: leaders, controller and coordinators move to live brokers. */
  stopBroker(id: number): Promise<void>;
  /** Restarts a stopped broker on the same port. */
  startBroker(id: number): Promise<void>;
  /** Answer matching requests with an error, or drop the connection. */
  failRequests(spec: FailRequestsSpec): void;
  /** Hold matching requests until {@link clearFaults}. */
  hangRequests(spec: HangRequestsSpec): void;
  /** Delay matching requests. */
  addLatency(spec: LatencySpec): void;
  /** Removes every fault rule and releases hung requests. */
  clearFaults(): void;
  /** Makes `brokerId` the leader of a partition. */
  moveLeader(topic: string, partition: number, brokerId: number): void;
  /** Applies topic retention now (it also runs on a timer). */
  enforceRetention(): void;

  /** Starts a stopped cluster again (same ports; data kept in memory or in `dataDir`). */
  start(): Promise<void>;
  /** Closes every socket and timer. In-memory data survives only for a later `start()` on this object. */
  stop(): Promise<void>;
}

async function throwOnError(p: Promise<{ errorCode: number; errorMessage: string | null }>, what: string): Promise<void> {
  const r = await p;
  if (r.errorCode !== 0) throw new Error(`${what} failed with error ${r.errorCode}: ${r.errorMessage ?? ''}`);
}

/** Wraps the internal Cluster in the public API. */
export function embeddedCluster(cluster: Cluster): EmbeddedCluster {
  return {
    clusterId: cluster.clusterId,
    external: false,
    get bootstrapServers() {
      return cluster.brokers.map((b) => b.address);
    },
    bootstrapServersFor: (name) => cluster.brokers.flatMap((b) => {
      const l = b.listener(name);
      return l ? [`${l.host}:${l.port}`] : [];
    }),
    get brokers() {
      return cluster.brokers.map((b) => ({ id: b.id, host: b.host, port: b.port, alive: b.alive, listeners: b.listeners.map((l) => ({ name: l.name, protocol: l.protocol, port: l.port })) }));
    },
    createTopic: (name, partitions, configs) => throwOnError(cluster.createTopic(name, partitions ?? -1, configs ?? {}), `createTopic ${name}`),
    deleteTopic: (name) => throwOnError(cluster.deleteTopic(name), `deleteTopic ${name}`),
    createPartitions: (name, total) => throwOnError(cluster.createPartitions(name, total), `createPartitions ${name}`),
    topicNames: () => [...cluster.topics.keys()],
    replicasOf(topic) {
      const t = cluster.topics.get(topic);
      if (!t) throw new Error(`unknown topic ${topic}`);
      return t.partitions.map((p) => [...p.replicas]);
    },
    highWatermarks(topic) {
      const t = cluster.topics.get(topic);
      if (!t) throw new Error(`unknown topic ${topic}`);
      return t.partitions.map((p) => p.log.highWatermark());
    },
    coordinatorOf: (key) => cluster.coordinatorId(key),
    leaderOf(topic, partition) {
      const p = cluster.partition(topic, partition);
      if (!p) throw new Error(`unknown partition ${topic}/${partition}`);
      return p.leader;
    },
    committedOffset: (groupId, topic, partition) => cluster.groups.committedOffset(groupId, topic, partition),
    stopBroker: (id) => cluster.stopBroker(id),
    startBroker: (id) => cluster.startBroker(id),
    failRequests: (spec) => cluster.faults.failRequests(spec),
    hangRequests: (spec) => cluster.faults.hangRequests(spec),
    addLatency: (spec) => cluster.faults.addLatency(spec),
    clearFaults: () => cluster.faults.clear(),
    moveLeader: (topic, partition, brokerId) => cluster.moveLeader(topic, partition, brokerId),
    enforceRetention: () => cluster.enforceRetention(),
    start: () => cluster.start(),
    stop: () => cluster.stop(),
  };
}

/** Resolves options, restores `dataDir`, creates the initial topics and starts every broker. */
export async function launchCluster(opts: StartClusterOptions = {}): Promise<EmbeddedCluster> {
  const brokers = opts.brokers ?? 1;
  const listeners = resolveListeners(brokers, opts.basePort ?? 0, opts.sasl ? 'SASL_PLAINTEXT' : 'PLAINTEXT', opts.listeners ?? []);
  const cluster = await Cluster.create({
    brokers,
    host: opts.host ?? '127.0.0.1',
    listeners,
    tls: opts.tls ? tlsServerOptions(opts.tls) : listeners.some((l) => usesTls(l.protocol)) ? tlsServerOptions({}) : null,
    dataDir: opts.dataDir,
    autoCreateTopics: opts.autoCreateTopics ?? false,
    defaultPartitions: opts.defaultPartitions ?? 1,
    sasl: new SaslUsers(opts.sasl ? new Map(Object.entries(opts.sasl.users)) : null, opts.sasl?.mechanisms),
    limits: resolveLimits(opts.limits),
    authorizer: opts.authorizer === true ? {} : opts.authorizer || null,
    groupInitialRebalanceDelayMs: opts.groupInitialRebalanceDelayMs ?? 0,
    clusterId: opts.clusterId,
    logger: opts.logger,
    retentionCheckIntervalMs: opts.retentionCheckIntervalMs ?? 1000,
    reassignmentDelayMs: opts.reassignmentDelayMs ?? 0,
  });
  await cluster.start();
  try {
    for (const t of opts.topics ?? []) {
      if (!cluster.topics.has(t.name)) await throwOnError(cluster.createTopic(t.name, t.partitions ?? -1, t.configs ?? {}, { replicationFactor: t.replicationFactor ?? -1 }), `createTopic ${t.name}`);
    }
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return embeddedCluster(cluster);
}
