import { randomBytes } from 'node:crypto';
import type { BrokerLimits } from '../broker/limits.js';
import { BrokerServer } from '../broker/server.js';
import { GroupCoordinator, TransactionCoordinator } from '../coordinator/index.js';
import type { TxnClusterAccess } from '../coordinator/types.js';
import { FaultInjector } from '../faults/faults.js';
import { ClusterStore, memoryLogs, type LogFactory } from '../storage/cluster-store.js';
import { ErrorCodes } from '../protocol/index.js';
import { Authorizer, type AclBinding, type AuthorizerOptions } from '../security/acls.js';
import type { ResolvedListener } from '../security/listeners.js';
import type { SaslUsers } from '../security/sasl.js';
import type { tlsServerOptions } from '../security/tls.js';
import { BROKER_SYNONYM, DynamicBrokerConfigs, brokerConfigError } from './broker-configs.js';
import { validateTopicConfig } from './configs.js';
import { coordinatorFor, stringHash } from './placement.js';
import { assignmentError, placeReplicas } from './replicas.js';
import { TopicState, isValidTopicName, type PartitionState } from './topic.js';

/** Log sink: level and message. */
export type ClusterLogger = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

/** Resolved cluster settings (see `startCluster` options for the meaning of each). */
export interface ClusterConfig {
  brokers: number;
  host: string;
  /** Every listener of every broker (each broker has at least one). */
  listeners: readonly ResolvedListener[];
  /** Server TLS context for SSL / SASL_SSL listeners. */
  tls: ReturnType<typeof tlsServerOptions> | null;
  dataDir?: string;
  autoCreateTopics: boolean;
  defaultPartitions: number;
  sasl: SaslUsers;
  limits: BrokerLimits;
  /** Enforce ACLs (null = off, every request allowed and the ACL APIs answer SECURITY_DISABLED). */
  authorizer: AuthorizerOptions | null;
  groupInitialRebalanceDelayMs: number;
  clusterId?: string;
  logger?: ClusterLogger;
  retentionCheckIntervalMs: number;
  /** How long an AlterPartitionReassignments stays ongoing (listed) before it completes. */
  reassignmentDelayMs: number;
}

/** Replica placement of a new topic: a replication factor (-1 = every broker) or explicit replica lists. */
export interface ReplicaOptions {
  replicationFactor?: number;
  assignments?: number[][];
}

/** Outcome of a topic admin operation: a Kafka error code and message. */
export interface AdminResult {
  errorCode: number;
  errorMessage: string | null;
}

const OK: AdminResult = { errorCode: 0, errorMessage: null };

/**
 * Kafka's controller refuses to create more partitions than this in one operation (KRaft
 * ReplicationControlManager: POLICY_VIOLATION "Excessively large number of partitions per
 * request."); it also keeps a hostile request from allocating millions of logs here.
 */
export const MAX_PARTITIONS_PER_REQUEST = 10000;
const TOO_MANY_PARTITIONS: AdminResult = { errorCode: ErrorCodes.POLICY_VIOLATION, errorMessage: 'Excessively large number of partitions per request.' };

/**
 * One Kafka cluster: brokers (one TCP server each), topics and partition logs, the group and
 * transaction coordinators, fault rules and optional on-disk storage.
 */
export class Cluster {
  readonly clusterId: string;
  readonly brokers: BrokerServer[];
  readonly topics = new Map<string, TopicState>();
  readonly faults = new FaultInjector();
  readonly authorizer: Authorizer | null;
  readonly brokerConfigs = new DynamicBrokerConfigs();
  groups!: GroupCoordinator;
  txns!: TransactionCoordinator;
  private readonly store: ClusterStore | null;
  private readonly logs: LogFactory;
  private retentionTimer: NodeJS.Timeout | null = null;
  private readonly reassignTimers = new Set<NodeJS.Timeout>();
  private running = false;
  private logsOpen = true;
  private coordinatorState: { groups: unknown; txns: unknown } | null = null;

  private constructor(readonly config: ClusterConfig, clusterId: string, store: ClusterStore | null) {
    this.clusterId = clusterId;
    this.store = store;
    this.logs = store ?? memoryLogs;
    // ACLs and dynamic broker configs from `dataDir` (Kafka keeps both in its metadata log).
    const persistence = store ? { restored: store.loadAcls(), save: (b: AclBinding[]) => store.saveAcls(b) } : undefined;
    this.authorizer = config.authorizer ? new Authorizer(config.authorizer, persistence) : null;
    for (const [resource, configs] of Object.entries(store?.loadBrokerConfigs() ?? {})) this.brokerConfigs.replace(resource, configs);
    this.brokers = [];
    for (let id = 0; id < config.brokers; id++) {
      this.brokers.push(new BrokerServer(this, id, config.host, config.listeners.filter((l) => l.broker === id)));
    }
  }

  /** Builds a cluster, restoring topics and coordinator state from `dataDir` when present. Not started yet. */
  static async create(config: ClusterConfig): Promise<Cluster> {
    const store = config.dataDir ? new ClusterStore(config.dataDir) : null;
    const meta = store?.loadMeta() ?? null;
    const clusterId = meta?.clusterId ?? config.clusterId ?? randomBytes(16).toString('base64url').slice(0, 22);
    const cluster = new Cluster(config, clusterId, store);
    for (const t of meta?.topics ?? []) {
      const topic = new TopicState(t.name, t.configs, t.id, cluster.inheritedTopicConfig);
      cluster.topics.set(t.name, topic);
      await cluster.addPartitions(topic, t.partitions, t.replicas);
    }
    if (store && !meta) cluster.saveMeta();
    return cluster;
  }

  get sasl(): SaslUsers {
    return this.config.sasl;
  }

  get isRunning(): boolean {
    return this.running;
  }

  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.config.logger?.(level, message);
  }

  /** Opens logs and coordinators (again, after `stop`) and starts every broker. */
  async start(): Promise<void> {
    if (this.running) return;
    if (!this.logsOpen) await this.reopenLogs();
    this.startCoordinators();
    this.running = true;
    await Promise.all(this.brokers.map((b) => b.start()));
    this.retentionTimer = setInterval(() => this.enforceRetention(), this.config.retentionCheckIntervalMs);
    this.retentionTimer.unref();
  }

  /** Stops every broker, closes sockets, timers and coordinators; data stays for a later `start`. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.retentionTimer = null;
    for (const t of this.reassignTimers) clearTimeout(t);
    this.reassignTimers.clear();
    this.faults.clear();
    await Promise.all(this.brokers.map((b) => b.stop()));
    this.store?.flush();
    if (!this.store) this.coordinatorState = { groups: this.groups.snapshot(), txns: this.txns.snapshot() };
    this.groups.close();
    this.txns.close();
    if (this.store) {
      await Promise.all(this.allPartitions().map((p) => p.log.close()));
      this.logsOpen = false;
    }
  }

  /** Stops one broker: its partitions get new leaders, clients see NOT_LEADER / NOT_COORDINATOR. */
  async stopBroker(id: number): Promise<void> {
    const broker = this.broker(id);
    await broker.stop();
    this.reassignLeadersAwayFrom(id);
  }

  /** Restarts a stopped broker on its previous port. */
  async startBroker(id: number): Promise<void> {
    if (!this.running) throw new Error('cluster is stopped: call start()');
    await this.broker(id).start();
    // Partitions left without a live leader (all brokers were down) get one again.
    this.reassignLeadersAwayFrom(-1);
  }

  broker(id: number): BrokerServer {
    const b = this.brokers[id];
    if (!b) throw new Error(`no broker ${id}`);
    return b;
  }

  liveBrokerIds(): number[] {
    return this.brokers.filter((b) => b.alive).map((b) => b.id);
  }

  /** Controller: the lowest live broker id (-1 when none). */
  controllerId(): number {
    return this.liveBrokerIds()[0] ?? -1;
  }

  /** Broker id coordinating a group or transactional id. */
  coordinatorId(key: string): number {
    return coordinatorFor(this.brokers.length, this.liveBrokerIds(), key);
  }

  partition(topic: string, index: number): PartitionState | undefined {
    return this.topics.get(topic)?.partitions[index];
  }

  allPartitions(): PartitionState[] {
    const out: PartitionState[] = [];
    for (const t of this.topics.values()) out.push(...t.partitions);
    return out;
  }

  /** Checks a topic creation request without applying it. */
  validateNewTopic(name: string, partitions: number, configs: Record<string, string | null>, replicas: ReplicaOptions = {}): AdminResult {
    if (!isValidTopicName(name)) return { errorCode: ErrorCodes.INVALID_TOPIC_EXCEPTION, errorMessage: `Invalid topic name ${name}` };
    if (this.topics.has(name)) return { errorCode: ErrorCodes.TOPIC_ALREADY_EXISTS, errorMessage: `Topic '${name}' already exists.` };
    if (!Number.isInteger(partitions) || partitions < 1) return { errorCode: ErrorCodes.INVALID_PARTITIONS, errorMessage: 'Number of partitions must be larger than 0.' };
    if (partitions > MAX_PARTITIONS_PER_REQUEST) return TOO_MANY_PARTITIONS;
    const placement = replicas.assignments ? this.checkAssignments(replicas.assignments, null) : this.checkReplicationFactor(replicas.replicationFactor ?? -1);
    if (placement.errorCode !== 0) return placement;
    for (const [k, v] of Object.entries(configs)) {
      const msg = validateTopicConfig(k, v);
      if (msg) return { errorCode: ErrorCodes.INVALID_CONFIG, errorMessage: msg };
    }
    return OK;
  }

  /**
   * Creates a topic (partitions -1 = default count). Replication factor -1 (the default) places a
   * replica on every broker, so a stopped broker's partitions always have a live replica to move to.
   */
  async createTopic(name: string, partitions = -1, configs: Record<string, string | null> = {}, replicas: ReplicaOptions = {}): Promise<AdminResult> {
    const count = replicas.assignments ? replicas.assignments.length : partitions === -1 ? this.config.defaultPartitions : partitions;
    const check = this.validateNewTopic(name, count, configs, replicas);
    if (check.errorCode !== 0) return check;
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(configs)) if (v !== null) clean[k] = v;
    const topic = new TopicState(name, clean, undefined, this.inheritedTopicConfig);
    this.topics.set(name, topic);
    await this.addPartitions(topic, count, replicas.assignments, replicas.replicationFactor);
    this.saveMeta();
    this.log('info', `created topic ${name} with ${count} partitions`);
    return OK;
  }

  async deleteTopic(name: string): Promise<AdminResult> {
    const topic = this.topics.get(name);
    if (!topic) return { errorCode: ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Unknown topic ${name}` };
    this.topics.delete(name);
    await Promise.all(topic.partitions.map((p) => p.log.close()));
    this.logs.removeTopic(name, topic.partitions.length);
    this.saveMeta();
    return OK;
  }

  /** Grows a topic to `total` partitions, on the given replicas or the topic's replication factor. */
  async createPartitions(name: string, total: number, validateOnly = false, assignments: number[][] | null = null): Promise<AdminResult> {
    const topic = this.topics.get(name);
    if (!topic) return { errorCode: ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Unknown topic ${name}` };
    const current = topic.partitions.length;
    if (!Number.isInteger(total) || total <= current) {
      return { errorCode: ErrorCodes.INVALID_PARTITIONS, errorMessage: `Topic currently has ${current} partitions, ${total} would not be an increase.` };
    }
    if (total - current > MAX_PARTITIONS_PER_REQUEST) return TOO_MANY_PARTITIONS;
    const rf = topic.partitions[0]?.replicas.length ?? this.brokers.length;
    if (assignments) {
      if (assignments.length !== total - current) {
        return { errorCode: ErrorCodes.INVALID_REPLICA_ASSIGNMENT, errorMessage: `Attempted to add ${total - current} additional partition(s), but only ${assignments.length} assignment(s) were specified.` };
      }
      const check = this.checkAssignments(assignments, rf);
      if (check.errorCode !== 0) return check;
    }
    if (validateOnly) return OK;
    await this.addPartitions(topic, total, assignments ?? undefined, rf);
    this.saveMeta();
    return OK;
  }

  /** Replaces a topic's configs (AlterConfigs semantics: unspecified names revert to defaults). */
  setTopicConfigs(name: string, configs: Record<string, string | null>, validateOnly: boolean): AdminResult {
    const topic = this.topics.get(name);
    if (!topic) return { errorCode: ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Unknown topic ${name}` };
    for (const [k, v] of Object.entries(configs)) {
      const msg = validateTopicConfig(k, v);
      if (msg) return { errorCode: ErrorCodes.INVALID_CONFIG, errorMessage: msg };
    }
    if (validateOnly) return OK;
    topic.configs.clear();
    for (const [k, v] of Object.entries(configs)) if (v !== null) topic.configs.set(k, v);
    this.saveMeta();
    return OK;
  }

  /**
   * Replaces the dynamic configs of a broker (`resource` = its id) or of all brokers (''), as
   * AlterConfigs does; only the configs Kafka can change without a restart are accepted.
   */
  setBrokerConfigs(resource: string, configs: Record<string, string | null>, validateOnly: boolean): AdminResult {
    if (resource !== '' && !(/^\d+$/.test(resource) && this.brokers[Number(resource)])) {
      return { errorCode: ErrorCodes.INVALID_REQUEST, errorMessage: `Unexpected broker id, expected one of ${this.brokers.map((b) => b.id).join(',')} or empty string, but received ${resource}` };
    }
    for (const [k, v] of Object.entries(configs)) {
      const msg = brokerConfigError(k, v);
      if (msg) return { errorCode: ErrorCodes.INVALID_CONFIG, errorMessage: msg };
    }
    if (validateOnly) return OK;
    this.brokerConfigs.replace(resource, configs);
    this.store?.saveBrokerConfigs(this.brokerConfigs.snapshot());
    return OK;
  }

  /** A topic config from the cluster-wide dynamic broker configs (per-broker ones only show in DescribeConfigs). */
  private readonly inheritedTopicConfig = (name: string): string | undefined => {
    const broker = BROKER_SYNONYM[name];
    return broker ? this.brokerConfigs.chain(null, broker)[0]?.value : undefined;
  };

  /** Makes `brokerId` the leader of one partition (clients of the old leader get NOT_LEADER). */
  moveLeader(topic: string, partition: number, brokerId: number): void {
    const p = this.partition(topic, partition);
    if (!p) throw new Error(`unknown partition ${topic}/${partition}`);
    if (!this.broker(brokerId).alive) throw new Error(`broker ${brokerId} is not running`);
    if (!p.replicas.includes(brokerId)) throw new Error(`broker ${brokerId} is not a replica of ${topic}/${partition}`);
    if (p.leader !== brokerId) {
      p.leader = brokerId;
      p.leaderEpoch++;
    }
  }

  /** Writes dirty coordinator snapshots (called before any response is written). */
  flushDurableState(): void {
    this.store?.flush();
  }

  /**
   * Applies the retention.ms / retention.bytes a topic sets explicitly. Topics on the defaults
   * keep everything: Kafka only deletes closed segments, and with the default segment size/age a
   * test's data never leaves the active segment, even with record timestamps far in the past.
   */
  enforceRetention(nowMs = Date.now()): void {
    for (const topic of this.topics.values()) {
      const retentionMs = topic.hasConfig('retention.ms') ? topic.numericConfig('retention.ms') : -1;
      const retentionBytes = topic.hasConfig('retention.bytes') ? topic.numericConfig('retention.bytes') : -1;
      if (retentionMs < 0 && retentionBytes < 0) continue;
      for (const p of topic.partitions) p.log.enforceRetention(nowMs, retentionMs, retentionBytes);
    }
  }

  /**
   * Changes a partition's replicas (AlterPartitionReassignments; null cancels an ongoing one).
   * The log is shared, so new replicas are in sync at once; the change stays listed as ongoing
   * for `reassignmentDelayMs`.
   */
  reassignPartition(topic: string, index: number, target: number[] | null): AdminResult {
    const p = this.partition(topic, index);
    if (!p) return { errorCode: ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Unknown partition ${topic}-${index}` };
    if (target === null) {
      // Kafka answers NO_REASSIGNMENT_IN_PROGRESS when there is nothing to cancel.
      if (!p.reassignTo) return { errorCode: ErrorCodes.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: `Unable to cancel reassignment of ${topic}-${index}: no reassignment is in progress.` };
      p.reassignTo = null;
      return OK;
    }
    const bad = assignmentError(target, this.brokers.map((b) => b.id));
    if (bad) return { errorCode: ErrorCodes.INVALID_REPLICA_ASSIGNMENT, errorMessage: bad };
    p.reassignTo = [...target];
    if (this.config.reassignmentDelayMs <= 0) {
      this.completeReassignment(p);
    } else {
      const timer = setTimeout(() => {
        this.reassignTimers.delete(timer);
        if (p.reassignTo?.join() === target.join()) this.completeReassignment(p);
      }, this.config.reassignmentDelayMs);
      timer.unref();
      this.reassignTimers.add(timer);
    }
    return OK;
  }

  private completeReassignment(p: PartitionState): void {
    if (!p.reassignTo) return;
    p.replicas = p.reassignTo;
    p.reassignTo = null;
    if (!p.replicas.includes(p.leader) || !this.brokers[p.leader]?.alive) this.electLeader(p);
    this.saveMeta();
  }

  /** The first live replica becomes leader (-1 when none is live: the partition is offline). */
  private electLeader(p: PartitionState): void {
    const next = this.firstLiveReplica(p.replicas);
    if (next !== p.leader) {
      p.leader = next;
      p.leaderEpoch++;
    }
  }

  private firstLiveReplica(replicas: readonly number[]): number {
    const live = this.liveBrokerIds();
    // Before the cluster starts no broker is live yet: the preferred replica will lead.
    if (live.length === 0) return replicas[0] ?? -1;
    return replicas.find((id) => live.includes(id)) ?? -1;
  }

  /** Kafka's checks of an explicit replica list per partition (all with the same replica count). */
  private checkAssignments(assignments: readonly number[][], replicationFactor: number | null): AdminResult {
    const ids = this.brokers.map((b) => b.id);
    let rf = replicationFactor;
    for (const a of assignments) {
      const bad = assignmentError(a, ids);
      if (bad) return { errorCode: ErrorCodes.INVALID_REPLICA_ASSIGNMENT, errorMessage: bad };
      rf ??= a.length;
      if (a.length !== rf) {
        return { errorCode: ErrorCodes.INVALID_REPLICA_ASSIGNMENT, errorMessage: `The manual partition assignment includes a partition with ${a.length} replica(s), but this is not consistent with previous partitions, which have ${rf} replica(s).` };
      }
    }
    return OK;
  }

  private checkReplicationFactor(rf: number): AdminResult {
    if (rf === -1) return OK;
    if (!Number.isInteger(rf) || rf < 1) return { errorCode: ErrorCodes.INVALID_REPLICATION_FACTOR, errorMessage: 'Replication factor must be larger than 0, or -1 to use the default value.' };
    if (rf > this.brokers.length) {
      return { errorCode: ErrorCodes.INVALID_REPLICATION_FACTOR, errorMessage: `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only ${this.brokers.length} broker(s) are registered.` };
    }
    return OK;
  }

  private async addPartitions(topic: TopicState, total: number, assignments?: number[][], replicationFactor = -1): Promise<void> {
    const ids = this.liveOrAll();
    const start = Math.abs(stringHash(topic.name)) % Math.max(1, ids.length);
    const first = topic.partitions.length;
    const rf = replicationFactor === -1 ? this.brokers.length : replicationFactor;
    for (let index = first; index < total; index++) {
      const log = await this.logs.open(topic.name, index);
      const replicas = assignments?.[index - first] ?? placeReplicas(ids, start, index, rf);
      topic.partitions.push({ index, log, replicas, reassignTo: null, leader: this.firstLiveReplica(replicas), leaderEpoch: 0 });
    }
  }

  /** Live broker ids, or all of them while the cluster is not started yet. */
  private liveOrAll(): number[] {
    const live = this.liveBrokerIds();
    return live.length > 0 ? live : this.brokers.map((b) => b.id);
  }

  /** Partitions led by a stopped broker (or offline) get their first live replica as leader. */
  private reassignLeadersAwayFrom(deadId: number): void {
    if (this.liveBrokerIds().length === 0) return;
    for (const p of this.allPartitions()) {
      if (p.leader === deadId || !this.brokers[p.leader]?.alive) this.electLeader(p);
    }
  }

  private async reopenLogs(): Promise<void> {
    for (const topic of this.topics.values()) {
      const count = topic.partitions.length;
      const old = topic.partitions.slice();
      topic.partitions.length = 0;
      for (let index = 0; index < count; index++) {
        const log = await this.logs.open(topic.name, index);
        const { replicas, leader } = old[index]!;
        topic.partitions.push({ index, log, replicas, reassignTo: null, leader, leaderEpoch: 0 });
      }
    }
    this.logsOpen = true;
  }

  private startCoordinators(): void {
    this.groups = new GroupCoordinator({
      initialRebalanceDelayMs: this.config.groupInitialRebalanceDelayMs,
      partitionExists: (topic, partition) => this.partition(topic, partition) !== undefined,
    });
    this.txns = new TransactionCoordinator(this.txnAccess());
    if (this.store) {
      // Restores from the snapshot files (flushed by `stop`) and saves on every change.
      this.store.attach('groups', this.groups);
      this.store.attach('transactions', this.txns);
    } else if (this.coordinatorState) {
      this.groups.restore(this.coordinatorState.groups as never);
      this.txns.restore(this.coordinatorState.txns as never);
    }
    this.coordinatorState = null;
  }

  private txnAccess(): TxnClusterAccess {
    return {
      partitionExists: (topic, partition) => this.partition(topic, partition) !== undefined,
      writeTxnMarker: (topic, partition, producerId, producerEpoch, commit, nowMs) => {
        this.partition(topic, partition)?.log.appendTxnMarker(producerId, producerEpoch, commit, 0, nowMs);
      },
      completeTxnOffsets: (groupId, producerId, commit) => this.groups.completeTxnOffsets(groupId, producerId, commit),
    };
  }

  private saveMeta(): void {
    if (!this.store) return;
    this.store.saveMeta({
      clusterId: this.clusterId,
      topics: [...this.topics.values()].map((t) => ({ name: t.name, id: t.id, partitions: t.partitions.length, configs: t.configObject(), replicas: t.partitions.map((p) => p.replicas) })),
    });
  }
}
