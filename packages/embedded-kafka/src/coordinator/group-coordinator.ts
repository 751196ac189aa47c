import { ChangeListeners } from './change-listeners.js';
import { ConsumerGroup, EMPTY_BYTES } from './consumer-group.js';
import { ErrorCodes } from '../protocol/index.js';
import type {
  ClientInfo,
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribedGroup,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  ListGroupsRequest,
  ListGroupsResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  SyncGroupRequest,
  SyncGroupResponse,
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponse,
} from './group-messages.js';
import { GroupMembership, type GroupRegistry } from './group-membership.js';
import { commitPartitions, fetchGroupOffsets } from './offset-requests.js';
import { OffsetStore, type OffsetRow, type StagedOffsetRow } from './offset-store.js';
import type { PersistableCoordinator } from './types.js';

/** Options of a {@link GroupCoordinator}. */
export interface GroupCoordinatorOptions {
  /** Clock for commit timestamps (timers use real `setTimeout`). Default `Date.now`. */
  now?: () => number;
  /** Smallest accepted JoinGroup session timeout (Kafka's group.min.session.timeout.ms). Default 6000. */
  minSessionTimeoutMs?: number;
  /** Largest accepted JoinGroup session timeout (group.max.session.timeout.ms). Default 300000. */
  maxSessionTimeoutMs?: number;
  /** How long an Empty group waits for more first joiners (group.initial.rebalance.delay.ms). Default 0. */
  initialRebalanceDelayMs?: number;
  /** When given, commits to partitions it rejects answer UNKNOWN_TOPIC_OR_PARTITION. */
  partitionExists?: (topic: string, partition: number) => boolean;
}

/** Persisted form of every group: generations and committed/staged offsets (members rejoin after a restart). */
export interface GroupsSnapshot {
  version: 1;
  groups: Array<{ groupId: string; protocolType: string | null; generationId: number }>;
  offsets: OffsetRow[];
  staged: StagedOffsetRow[];
}

/** DescribeGroups' INT32_MIN "authorized operations not provided". */
const AUTHORIZED_OPERATIONS_NOT_PROVIDED = -2147483648;

const DEFAULT_CLIENT: ClientInfo = { clientId: 'consumer', clientHost: '/127.0.0.1' };

/**
 * The cluster's group coordinator: the classic consumer group protocol and the committed offsets.
 * Network-free; broker handlers pass decoded request bodies and encode the returned response bodies.
 */
export class GroupCoordinator implements PersistableCoordinator<GroupsSnapshot> {
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly offsets = new OffsetStore();
  private readonly listeners = new ChangeListeners();
  private readonly membership: GroupMembership;
  private readonly now: () => number;
  private readonly partitionExists: GroupCoordinatorOptions['partitionExists'];
  private closed = false;

  constructor(opts: GroupCoordinatorOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.partitionExists = opts.partitionExists;
    const registry: GroupRegistry = {
      get: (groupId) => this.groups.get(groupId),
      getOrCreate: (groupId) => this.getOrCreate(groupId),
      changed: () => this.listeners.emit(),
    };
    this.membership = new GroupMembership(registry, {
      minSessionTimeoutMs: opts.minSessionTimeoutMs ?? 6000,
      maxSessionTimeoutMs: opts.maxSessionTimeoutMs ?? 300_000,
      initialRebalanceDelayMs: opts.initialRebalanceDelayMs ?? 0,
    });
  }

  /** JoinGroup v0-9; long-polls until the rebalance's join phase completes. `client` names the member id. */
  joinGroup(req: JoinGroupRequest, apiVersion: number, client: ClientInfo = DEFAULT_CLIENT): Promise<JoinGroupResponse> {
    return this.membership.joinGroup(req, apiVersion, client);
  }

  /** SyncGroup v0-5; followers wait for the leader's assignment. */
  syncGroup(req: SyncGroupRequest, apiVersion: number): Promise<SyncGroupResponse> {
    return this.membership.syncGroup(req, apiVersion);
  }

  /** Heartbeat v0-4. */
  heartbeat(req: HeartbeatRequest, _apiVersion: number): HeartbeatResponse {
    return this.membership.heartbeat(req);
  }

  /** LeaveGroup v0-5 (v3+ batch of members). */
  leaveGroup(req: LeaveGroupRequest, apiVersion: number): LeaveGroupResponse {
    return this.membership.leaveGroup(req, apiVersion);
  }

  /** OffsetCommit v0-9. Generation -1 (and v0) commits are accepted by Empty groups. */
  offsetCommit(req: OffsetCommitRequest, apiVersion: number): OffsetCommitResponse {
    const generationId = apiVersion >= 1 ? (req.generationIdOrMemberEpoch ?? -1) : -1;
    const memberId = apiVersion >= 1 ? (req.memberId ?? '') : '';
    let groupError: number = ErrorCodes.NONE;
    if (this.closed) groupError = ErrorCodes.NOT_COORDINATOR;
    else {
      const existing = this.groups.get(req.groupId);
      if (existing === undefined && generationId >= 0) groupError = ErrorCodes.ILLEGAL_GENERATION;
      else groupError = this.membership.commitError(existing ?? this.getOrCreate(req.groupId), generationId, memberId);
    }
    const topics = apiVersion === 1 ? req.topics : req.topics.map((t) => ({ ...t, partitions: t.partitions.map((p) => ({ ...p, commitTimestamp: -1 })) }));
    const result = commitPartitions(topics, groupError, this.now(), this.partitionExists, (topic, partition, entry) =>
      this.offsets.commit(req.groupId, topic, partition, entry),
    );
    if (result.written) this.listeners.emit();
    return { throttleTimeMs: 0, topics: result.topics };
  }

  /** OffsetFetch v0-9, including the multi-group v8+ form. Unknown offsets answer -1 with metadata ''. */
  offsetFetch(req: OffsetFetchRequest, apiVersion: number): OffsetFetchResponse {
    const requireStable = apiVersion >= 7 && req.requireStable === true;
    const groupError = this.closed ? ErrorCodes.NOT_COORDINATOR : ErrorCodes.NONE;
    const topicsOf = (groupId: string, topics: OffsetFetchRequest['topics']) =>
      groupError === ErrorCodes.NONE ? fetchGroupOffsets(this.offsets, groupId, topics, requireStable) : [];
    if (apiVersion >= 8) {
      return {
        throttleTimeMs: 0,
        groups: (req.groups ?? []).map((g) => ({ groupId: g.groupId, topics: topicsOf(g.groupId, g.topics), errorCode: groupError })),
      };
    }
    return { throttleTimeMs: 0, topics: topicsOf(req.groupId ?? '', req.topics), errorCode: groupError };
  }

  /** ListGroups v0-5 with the v4 state filter and v5 type filter (all groups are "classic"). */
  listGroups(req: ListGroupsRequest, apiVersion: number): ListGroupsResponse {
    const states = apiVersion >= 4 ? (req.statesFilter ?? []).map((s) => s.toLowerCase()) : [];
    const types = apiVersion >= 5 ? (req.typesFilter ?? []).map((s) => s.toLowerCase()) : [];
    const groups = [...this.groups.values()]
      .filter((g) => g.state !== 'Dead')
      .filter((g) => states.length === 0 || states.includes(g.state.toLowerCase()))
      .filter(() => types.length === 0 || types.includes('classic'))
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state, groupType: 'classic' }));
    return { throttleTimeMs: 0, errorCode: this.closed ? ErrorCodes.NOT_COORDINATOR : ErrorCodes.NONE, groups };
  }

  /** DescribeGroups v0-5. Unknown groups answer error 0 with state "Dead"; metadata only when Stable. */
  describeGroups(req: DescribeGroupsRequest, _apiVersion: number): DescribeGroupsResponse {
    return { throttleTimeMs: 0, groups: req.groups.map((groupId) => this.describe(groupId)) };
  }

  /** DeleteGroups v0-2: only groups without members can go (68 NON_EMPTY_GROUP, 69 GROUP_ID_NOT_FOUND). */
  deleteGroups(req: DeleteGroupsRequest, _apiVersion: number): DeleteGroupsResponse {
    const results = req.groupsNames.map((groupId) => ({ groupId, errorCode: this.deleteGroup(groupId) }));
    if (results.some((r) => r.errorCode === ErrorCodes.NONE)) this.listeners.emit();
    return { throttleTimeMs: 0, results };
  }

  /**
   * TxnOffsetCommit v0-4: stage offsets for `producerId`'s open transaction; {@link completeTxnOffsets}
   * applies or drops them. The broker checks the transaction first (TransactionCoordinator.txnOffsetCommitAllowed).
   */
  txnOffsetCommit(req: TxnOffsetCommitRequest, apiVersion: number, producerId: number): TxnOffsetCommitResponse {
    let groupError: number = ErrorCodes.NONE;
    if (this.closed) groupError = ErrorCodes.NOT_COORDINATOR;
    else {
      const group = this.getOrCreate(req.groupId);
      const memberId = apiVersion >= 3 ? (req.memberId ?? '') : '';
      const generationId = apiVersion >= 3 ? (req.generationId ?? -1) : -1;
      if (group.state === 'Dead') groupError = ErrorCodes.COORDINATOR_NOT_AVAILABLE;
      else if (memberId !== '' && !group.members.has(memberId)) groupError = ErrorCodes.UNKNOWN_MEMBER_ID;
      else if (generationId >= 0 && generationId !== group.generationId) groupError = ErrorCodes.ILLEGAL_GENERATION;
    }
    const result = commitPartitions(req.topics, groupError, this.now(), this.partitionExists, (topic, partition, entry) =>
      this.offsets.stage(req.groupId, producerId, topic, partition, entry),
    );
    if (result.written) this.listeners.emit();
    return { throttleTimeMs: 0, topics: result.topics };
  }

  /** Apply (commit) or drop (abort) the offsets `producerId` staged for the group. */
  completeTxnOffsets(groupId: string, producerId: number, commit: boolean): void {
    if (!this.offsets.completeStaged(groupId, producerId, commit)) return;
    if (commit) this.getOrCreate(groupId);
    this.listeners.emit();
  }

  /** The committed offset of a group for a partition, if any. */
  committedOffset(groupId: string, topic: string, partition: number): number | undefined {
    return this.offsets.get(groupId, topic, partition)?.offset;
  }

  /** The state of a group, or undefined if it does not exist. */
  groupState(groupId: string): string | undefined {
    return this.groups.get(groupId)?.state;
  }

  snapshot(): GroupsSnapshot {
    return {
      version: 1,
      groups: [...this.groups.values()].map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, generationId: g.generationId })),
      offsets: this.offsets.committedRows(),
      staged: this.offsets.stagedRows(),
    };
  }

  /** Replace all state with a snapshot: groups come back Empty (members rejoin), offsets as committed. */
  restore(state: GroupsSnapshot): void {
    for (const group of this.groups.values()) {
      this.membership.releaseWaiters(group);
      this.membership.forgetGroup(group);
    }
    this.groups.clear();
    this.offsets.load(state.offsets, state.staged);
    for (const g of state.groups) {
      const group = this.getOrCreate(g.groupId);
      group.protocolType = g.protocolType;
      group.generationId = g.generationId;
    }
    for (const groupId of this.offsets.groupIds()) this.getOrCreate(groupId);
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** Answer every waiting JoinGroup/SyncGroup with NOT_COORDINATOR and clear every timer. */
  close(): void {
    this.closed = true;
    this.membership.close();
    for (const group of this.groups.values()) this.membership.releaseWaiters(group);
  }

  /** Number of armed timers (for leak checks). */
  get pendingTimers(): number {
    return this.membership.timerCount;
  }

  private getOrCreate(groupId: string): ConsumerGroup {
    let group = this.groups.get(groupId);
    if (group === undefined) this.groups.set(groupId, (group = new ConsumerGroup(groupId)));
    return group;
  }

  private describe(groupId: string): DescribedGroup {
    const group = this.groups.get(groupId);
    if (group === undefined) {
      return { errorCode: ErrorCodes.NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: AUTHORIZED_OPERATIONS_NOT_PROVIDED };
    }
    const stable = group.state === 'Stable';
    return {
      errorCode: this.closed ? ErrorCodes.NOT_COORDINATOR : ErrorCodes.NONE,
      groupId,
      groupState: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? (group.protocolName ?? '') : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? m.metadataFor(group.protocolName) : EMPTY_BYTES,
        memberAssignment: stable ? m.assignment : EMPTY_BYTES,
      })),
      authorizedOperations: AUTHORIZED_OPERATIONS_NOT_PROVIDED,
    };
  }

  private deleteGroup(groupId: string): number {
    if (this.closed) return ErrorCodes.NOT_COORDINATOR;
    const group = this.groups.get(groupId);
    if (group === undefined) return ErrorCodes.GROUP_ID_NOT_FOUND;
    if (group.state !== 'Empty') return ErrorCodes.NON_EMPTY_GROUP;
    group.transitionTo('Dead');
    this.membership.forgetGroup(group);
    this.groups.delete(groupId);
    this.offsets.deleteGroup(groupId);
    return ErrorCodes.NONE;
  }
}
