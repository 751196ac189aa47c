import type { FailRequestsSpec, HangRequestsSpec, LatencySpec } from '../faults/faults.js';
import { Cluster, type ClusterLogger } from './cluster.js';

/** Options of {@link startCluster}. */
export interface StartClusterOptions {
  /** Number of brokers (ids 0..n-1). Default 1. */
  brokers?: number;
  /** Interface to listen on and to advertise. Default '127.0.0.1'. */
  host?: string;
  /** Broker b listens on basePort + b; 0 (default) = ephemeral ports. */
  basePort?: number;
  /** Persist logs, topics and coordinator state here (and restore them on start). Default: memory only. */
  dataDir?: string;
  /** Topics created at start (skipped when they already exist in `dataDir`). */
  topics?: Array<{ name: string; partitions?: number; configs?: Record<string, string> }>;
  /** Create unknown topics named in Metadata requests. Default false. */
  autoCreateTopics?: boolean;
  /** Partitions of topics created with -1 / auto-created. Default 1. */
  defaultPartitions?: number;
  /** Require SASL/PLAIN with these users (name -> password). Without it SASL is optional and accepts anyone. */
  sasl?: { users: Record<string, string> };
  /** group.initial.rebalance.delay.ms. Default 0 (tests want fast joins). */
  groupInitialRebalanceDelayMs?: number;
  /** Cluster id reported in Metadata. Default: random (or the one stored in `dataDir`). */
  clusterId?: string;
  /** Receives broker log lines. Default: silent. */
  logger?: ClusterLogger;
  /** How often retention.ms / retention.bytes are enforced. Default 1000 ms. */
  retentionCheckIntervalMs?: number;
}

/** A broker of an embedded cluster. */
export interface EmbeddedBroker {
  readonly id: number;
  readonly host: string;
  readonly port: number;
  /** Whether it accepts connections. */
  readonly alive: boolean;
}

/** A running embedded Kafka cluster with admin helpers and fault injection. */
export interface EmbeddedCluster {
  readonly clusterId: string;
  /** 'host:port' of every broker (running or not). */
  readonly bootstrapServers: string[];
  readonly brokers: readonly EmbeddedBroker[];
  /** False for a cluster from {@link startCluster}; true for an external one from `testCluster()`. */
  readonly external: boolean;
  createTopic(name: string, partitions?: number, configs?: Record<string, string>): Promise<void>;
  deleteTopic(name: string): Promise<void>;
  createPartitions(name: string, total: number): Promise<void>;
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
    get brokers() {
      return cluster.brokers.map((b) => ({ id: b.id, host: b.host, port: b.port, alive: b.alive }));
    },
    createTopic: (name, partitions, configs) => throwOnError(cluster.createTopic(name, partitions ?? -1, configs ?? {}), `createTopic ${name}`),
    deleteTopic: (name) => throwOnError(cluster.deleteTopic(name), `deleteTopic ${name}`),
    createPartitions: (name, total) => throwOnError(cluster.createPartitions(name, total), `createPartitions ${name}`),
    topicNames: () => [...cluster.topics.keys()],
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
  const users = opts.sasl ? new Map(Object.entries(opts.sasl.users)) : null;
  const cluster = await Cluster.create({
    brokers: opts.brokers ?? 1,
    host: opts.host ?? '127.0.0.1',
    basePort: opts.basePort ?? 0,
    dataDir: opts.dataDir,
    autoCreateTopics: opts.autoCreateTopics ?? false,
    defaultPartitions: opts.defaultPartitions ?? 1,
    saslUsers: users,
    saslRequired: users !== null,
    groupInitialRebalanceDelayMs: opts.groupInitialRebalanceDelayMs ?? 0,
    clusterId: opts.clusterId,
    logger: opts.logger,
    retentionCheckIntervalMs: opts.retentionCheckIntervalMs ?? 1000,
  });
  await cluster.start();
  try {
    for (const t of opts.topics ?? []) {
      if (!cluster.topics.has(t.name)) await throwOnError(cluster.createTopic(t.name, t.partitions ?? -1, t.configs ?? {}), `createTopic ${t.name}`);
    }
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return embeddedCluster(cluster);
}
