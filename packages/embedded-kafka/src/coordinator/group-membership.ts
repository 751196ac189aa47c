import { randomUUID } from 'node:crypto';
import { ConsumerGroup, EMPTY_BYTES, GroupMember, type Waiter } from './consumer-group.js';
import { ErrorCodes } from '../protocol/index.js';
import type {
  ClientInfo,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from './group-messages.js';
import { KeyedTimers } from './keyed-timers.js';
import { rebalanceTimeoutOf } from './rebalance-timeout.js';

/** Tunables of the group protocol (see GroupCoordinator's constructor options). */
export interface MembershipOptions {
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  initialRebalanceDelayMs: number;
}

/** Where groups live and how to tell the owner that persisted state (generations) changed. */
export interface GroupRegistry {
  get(groupId: string): ConsumerGroup | undefined;
  getOrCreate(groupId: string): ConsumerGroup;
  changed(): void;
}

function joinError(errorCode: number, memberId: string, version: number): JoinGroupResponse {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: version >= 7 ? null : '',
    leader: '',
    skipAssignment: false,
    memberId,
    members: [],
  };
}

function syncAnswer(errorCode: number, assignment: Buffer, group?: ConsumerGroup): SyncGroupResponse {
  return { errorCode, protocolType: group?.protocolType ?? null, protocolName: group?.protocolName ?? null, assignment };
}

/**
 * The classic group membership protocol: JoinGroup (incl. the v4+ two-step join), SyncGroup,
 * Heartbeat, LeaveGroup, session expiry, rebalance and sync timeouts. Long-polled answers are held
 * by the members as waiters and resolved when the rebalance step completes, a member is removed,
 * or the coordinator closes.
 */
export class GroupMembership {
  private readonly timers = new KeyedTimers();
  private closed = false;

  constructor(
    private readonly groups: GroupRegistry,
    private readonly opts: MembershipOptions,
  ) {}

  joinGroup(req: JoinGroupRequest, version: number, client: ClientInfo): Promise<JoinGroupResponse> {
    const fail = (code: number): Promise<JoinGroupResponse> => Promise.resolve(joinError(code, req.memberId, version));
    if (this.closed) return fail(ErrorCodes.NOT_COORDINATOR);
    if (req.groupId === '') return fail(ErrorCodes.INVALID_GROUP_ID);
    if (req.sessionTimeoutMs < this.opts.minSessionTimeoutMs || req.sessionTimeoutMs > this.opts.maxSessionTimeoutMs) {
      return fail(ErrorCodes.INVALID_SESSION_TIMEOUT);
    }
    const existing = this.groups.get(req.groupId);
    if (existing === undefined && req.memberId !== '') return fail(ErrorCodes.UNKNOWN_MEMBER_ID);
    const group = existing ?? this.groups.getOrCreate(req.groupId);
    if (group.state === 'Dead') return fail(ErrorCodes.COORDINATOR_NOT_AVAILABLE);
    if (!group.supportsProtocols(req.memberId, req.protocolType, req.protocols)) return fail(ErrorCodes.INCONSISTENT_GROUP_PROTOCOL);
    return new Promise((resolve) => {
      const waiter = { resolve, version };
      if (req.memberId === '') this.joinUnknownMember(group, req, waiter, client);
      else this.joinKnownMember(group, req, waiter, client);
    });
  }

  syncGroup(req: SyncGroupRequest, version: number): Promise<SyncGroupResponse> {
    const fail = (code: number): Promise<SyncGroupResponse> => Promise.resolve(syncAnswer(code, EMPTY_BYTES));
    if (this.closed) return fail(ErrorCodes.NOT_COORDINATOR);
    if (req.groupId === '') return fail(ErrorCodes.INVALID_GROUP_ID);
    const group = this.groups.get(req.groupId);
    const member = group?.members.get(req.memberId);
    if (group === undefined || member === undefined) return fail(ErrorCodes.UNKNOWN_MEMBER_ID);
    if (req.generationId !== group.generationId) return fail(ErrorCodes.ILLEGAL_GENERATION);
    if (version >= 5 && !this.matchesSelectedProtocol(group, req)) return fail(ErrorCodes.INCONSISTENT_GROUP_PROTOCOL);
    switch (group.state) {
      case 'Empty':
        return fail(ErrorCodes.UNKNOWN_MEMBER_ID);
      case 'Dead':
        return fail(ErrorCodes.COORDINATOR_NOT_AVAILABLE);
      case 'PreparingRebalance':
        return fail(ErrorCodes.REBALANCE_IN_PROGRESS);
      case 'Stable':
        this.syncReceived(group, member.memberId);
        this.touchSession(group, member);
        return Promise.resolve(syncAnswer(ErrorCodes.NONE, member.assignment, group));
      case 'CompletingRebalance':
        return new Promise((resolve) => {
          member.syncWaiter?.resolve(syncAnswer(ErrorCodes.REBALANCE_IN_PROGRESS, EMPTY_BYTES));
          member.syncWaiter = { resolve, version };
          this.syncReceived(group, member.memberId);
          this.touchSession(group, member);
          if (group.isLeader(member.memberId)) this.completeSync(group, req.assignments);
        });
    }
  }

  heartbeat(req: HeartbeatRequest): HeartbeatResponse {
    return { errorCode: this.heartbeatError(req) };
  }

  leaveGroup(req: LeaveGroupRequest, version: number): LeaveGroupResponse {
    const identities =
      version >= 3 ? (req.members ?? []).map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null })) : [{ memberId: req.memberId ?? '', groupInstanceId: null }];
    const groupError = this.closed ? ErrorCodes.NOT_COORDINATOR : req.groupId === '' ? ErrorCodes.INVALID_GROUP_ID : ErrorCodes.NONE;
    if (groupError !== ErrorCodes.NONE) return version >= 3 ? { errorCode: groupError, members: [] } : { errorCode: groupError };
    const group = this.groups.get(req.groupId);
    const results = identities.map((identity) => ({ ...identity, errorCode: group === undefined ? ErrorCodes.UNKNOWN_MEMBER_ID : this.leave(group, identity) }));
    if (version >= 3) return { errorCode: ErrorCodes.NONE, members: results };
    return { errorCode: results[0]!.errorCode };
  }

  /**
   * Error code for an OffsetCommit (or the member check of a TxnOffsetCommit) against a group;
   * a successful member commit also counts as a heartbeat.
   */
  commitError(group: ConsumerGroup, generationId: number, memberId: string): number {
    if (group.state === 'Dead') return ErrorCodes.COORDINATOR_NOT_AVAILABLE;
    if (generationId < 0 && group.state === 'Empty') return ErrorCodes.NONE;
    if (group.state === 'CompletingRebalance') return ErrorCodes.REBALANCE_IN_PROGRESS;
    const member = group.members.get(memberId);
    if (member === undefined) return ErrorCodes.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCodes.ILLEGAL_GENERATION;
    this.touchSession(group, member);
    return ErrorCodes.NONE;
  }

  /** Drop a deleted group's timers (its pending two-step joiners). */
  forgetGroup(group: ConsumerGroup): void {
    this.timers.clearPrefix(`${group.groupId}\u0000`);
  }

  /** Answer every waiting JoinGroup/SyncGroup with NOT_COORDINATOR (the group is being unloaded). */
  releaseWaiters(group: ConsumerGroup): void {
    for (const member of group.members.values()) {
      member.joinWaiter?.resolve(joinError(ErrorCodes.NOT_COORDINATOR, member.memberId, member.joinWaiter.version));
      member.syncWaiter?.resolve(syncAnswer(ErrorCodes.NOT_COORDINATOR, EMPTY_BYTES));
      member.joinWaiter = null;
      member.syncWaiter = null;
    }
  }

  /** Stop every timer; the owner releases the waiters of its groups. */
  close(): void {
    this.closed = true;
    this.timers.clearAll();
  }

  /** Number of armed timers (leak checks in tests). */
  get timerCount(): number {
    return this.timers.size;
  }

  private joinUnknownMember(group: ConsumerGroup, req: JoinGroupRequest, waiter: Waiter<JoinGroupResponse>, client: ClientInfo): void {
    const memberId = `${client.clientId}-${randomUUID()}`;
    if (waiter.version >= 4) {
      // Two-step join: hand out the id; the member must come back with it within its session timeout.
      group.pendingMembers.add(memberId);
      this.timers.set(this.key(group, 'pending', memberId), req.sessionTimeoutMs, () => this.expirePendingMember(group, memberId));
      waiter.resolve(joinError(ErrorCodes.MEMBER_ID_REQUIRED, memberId, waiter.version));
      return;
    }
    this.addMemberAndRebalance(group, memberId, req, waiter, client);
  }

  private joinKnownMember(group: ConsumerGroup, req: JoinGroupRequest, waiter: Waiter<JoinGroupResponse>, client: ClientInfo): void {
    if (group.pendingMembers.delete(req.memberId)) {
      this.timers.clear(this.key(group, 'pending', req.memberId));
      this.addMemberAndRebalance(group, req.memberId, req, waiter, client);
      return;
    }
    const member = group.members.get(req.memberId);
    if (member === undefined || group.state === 'Empty' || group.state === 'Dead') {
      waiter.resolve(joinError(ErrorCodes.UNKNOWN_MEMBER_ID, req.memberId, waiter.version));
      return;
    }
    const unchanged = member.hasSameProtocols(req.protocols);
    const answerNow =
      (group.state === 'CompletingRebalance' && unchanged) || (group.state === 'Stable' && unchanged && !group.isLeader(member.memberId));
    if (answerNow) {
      // A retried join of the current generation: answer with what the member already has.
      this.touchSession(group, member);
      waiter.resolve(this.joinAnswer(group, member, waiter.version));
      return;
    }
    this.updateMemberAndRebalance(group, member, req, waiter);
  }

  private addMemberAndRebalance(group: ConsumerGroup, memberId: string, req: JoinGroupRequest, waiter: Waiter<JoinGroupResponse>, client: ClientInfo): void {
    const member = new GroupMember(
      memberId,
      req.groupInstanceId ?? null,
      client.clientId,
      client.clientHost,
      req.sessionTimeoutMs,
      rebalanceTimeoutOf(req, waiter.version),
      req.protocols,
    );
    member.joinWaiter = waiter;
    if (group.members.size === 0) group.protocolType = req.protocolType;
    group.add(member);
    if (group.initialJoinActive) group.newMemberAdded = true;
    this.touchSession(group, member);
    this.maybePrepareRebalance(group);
  }

  private updateMemberAndRebalance(group: ConsumerGroup, member: GroupMember, req: JoinGroupRequest, waiter: Waiter<JoinGroupResponse>): void {
    member.joinWaiter?.resolve(joinError(ErrorCodes.REBALANCE_IN_PROGRESS, member.memberId, member.joinWaiter.version));
    member.joinWaiter = waiter;
    member.protocols = req.protocols;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = rebalanceTimeoutOf(req, waiter.version);
    this.touchSession(group, member);
    this.maybePrepareRebalance(group);
  }

  private maybePrepareRebalance(group: ConsumerGroup): void {
    if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
    else if (group.state !== 'Dead') this.prepareRebalance(group);
  }

  private prepareRebalance(group: ConsumerGroup): void {
    if (group.state === 'CompletingRebalance') {
      for (const member of group.members.values()) {
        member.syncWaiter?.resolve(syncAnswer(ErrorCodes.REBALANCE_IN_PROGRESS, EMPTY_BYTES));
        member.syncWaiter = null;
      }
    }
    this.timers.clear(this.key(group, 'sync'));
    const wasEmpty = group.state === 'Empty';
    group.transitionTo('PreparingRebalance');
    const delay = this.opts.initialRebalanceDelayMs;
    if (wasEmpty && delay > 0) {
      // Kafka's initial delayed join: gather the first joiners, extending while new ones arrive.
      group.initialJoinActive = true;
      group.newMemberAdded = false;
      this.scheduleInitialJoin(group, delay, Math.max(group.rebalanceTimeoutMs() - delay, 0));
      return;
    }
    group.initialJoinActive = false;
    this.timers.set(this.key(group, 'join'), group.rebalanceTimeoutMs(), () => this.completeJoin(group));
    this.tryCompleteJoin(group);
  }

  private scheduleInitialJoin(group: ConsumerGroup, delayMs: number, remainingMs: number): void {
    this.timers.set(this.key(group, 'join'), delayMs, () => {
      if (group.newMemberAdded && remainingMs > 0) {
        group.newMemberAdded = false;
        const next = Math.min(this.opts.initialRebalanceDelayMs, remainingMs);
        this.scheduleInitialJoin(group, next, remainingMs - next);
      } else {
        this.completeJoin(group);
      }
    });
  }

  private tryCompleteJoin(group: ConsumerGroup): void {
    if (group.state === 'PreparingRebalance' && !group.initialJoinActive && group.allMembersJoined()) this.completeJoin(group);
  }

  /** End the join phase: drop members that did not rejoin, start the next generation, answer the joiners. */
  private completeJoin(group: ConsumerGroup): void {
    if (group.state !== 'PreparingRebalance') return;
    this.timers.clear(this.key(group, 'join'));
    group.initialJoinActive = false;
    for (const member of [...group.members.values()]) {
      if (member.joinWaiter === null) this.removeMember(group, member);
    }
    group.initNextGeneration();
    this.groups.changed();
    if (group.members.size === 0) return; // the group went Empty
    for (const member of group.members.values()) {
      const waiter = member.joinWaiter!;
      member.joinWaiter = null;
      this.touchSession(group, member);
      waiter.resolve(this.joinAnswer(group, member, waiter.version));
    }
    // Never 0 ms: an unset rebalance timeout is the session timeout (rebalanceTimeoutOf).
    const generation = group.generationId;
    this.timers.set(this.key(group, 'sync'), group.rebalanceTimeoutMs(), () => this.expirePendingSync(group, generation));
  }

  private joinAnswer(group: ConsumerGroup, member: GroupMember, version: number): JoinGroupResponse {
    const isLeader = group.isLeader(member.memberId);
    return {
      errorCode: ErrorCodes.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName ?? (version >= 7 ? null : ''),
      leader: group.leaderId ?? '',
      skipAssignment: false,
      memberId: member.memberId,
      members: isLeader
        ? [...group.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(group.protocolName) }))
        : [],
    };
  }

  private completeSync(group: ConsumerGroup, assignments: SyncGroupRequest['assignments']): void {
    const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    for (const member of group.members.values()) member.assignment = byMember.get(member.memberId) ?? EMPTY_BYTES;
    // Followers that have not sent SyncGroup yet stay pending: the sync timer keeps running (Kafka's DelayedSync).
    group.transitionTo('Stable');
    for (const member of group.members.values()) {
      const waiter = member.syncWaiter;
      member.syncWaiter = null;
      waiter?.resolve(syncAnswer(ErrorCodes.NONE, member.assignment, group));
    }
  }

  /** A member's SyncGroup arrived; once every member's has, the pending-sync timer is done. */
  private syncReceived(group: ConsumerGroup, memberId: string): void {
    group.pendingSync.delete(memberId);
    if (group.pendingSync.size === 0) this.timers.clear(this.key(group, 'sync'));
  }

  /**
   * Members that never sent SyncGroup within the group's rebalance timeout are removed and the
   * group rebalances, in CompletingRebalance and also once the leader's sync made it Stable
   * (Kafka's GroupCoordinator.schedulePendingSync / onExpirePendingSync).
   */
  private expirePendingSync(group: ConsumerGroup, generation: number): void {
    if (group.generationId !== generation || group.pendingSync.size === 0) return;
    if (group.state !== 'CompletingRebalance' && group.state !== 'Stable') return;
    for (const memberId of [...group.pendingSync]) {
      const member = group.members.get(memberId);
      if (member !== undefined) this.removeMember(group, member);
    }
    this.prepareRebalance(group);
  }

  private heartbeatError(req: HeartbeatRequest): number {
    if (this.closed) return ErrorCodes.NOT_COORDINATOR;
    if (req.groupId === '') return ErrorCodes.INVALID_GROUP_ID;
    const group = this.groups.get(req.groupId);
    if (group === undefined) return ErrorCodes.UNKNOWN_MEMBER_ID;
    if (group.state === 'Dead') return ErrorCodes.COORDINATOR_NOT_AVAILABLE;
    if (group.state === 'Empty') return ErrorCodes.UNKNOWN_MEMBER_ID;
    const member = group.members.get(req.memberId);
    if (member === undefined) return ErrorCodes.UNKNOWN_MEMBER_ID;
    if (req.generationId !== group.generationId) return ErrorCodes.ILLEGAL_GENERATION;
    this.touchSession(group, member);
    return group.state === 'PreparingRebalance' ? ErrorCodes.REBALANCE_IN_PROGRESS : ErrorCodes.NONE;
  }

  private leave(group: ConsumerGroup, identity: { memberId: string; groupInstanceId: string | null }): number {
    let memberId = identity.memberId;
    if (memberId === '' && identity.groupInstanceId !== null) {
      memberId = [...group.members.values()].find((m) => m.groupInstanceId === identity.groupInstanceId)?.memberId ?? '';
    }
    if (group.pendingMembers.delete(memberId)) {
      this.timers.clear(this.key(group, 'pending', memberId));
      this.tryCompleteJoin(group);
      return ErrorCodes.NONE;
    }
    const member = group.members.get(memberId);
    if (member === undefined) return ErrorCodes.UNKNOWN_MEMBER_ID;
    this.removeMemberAndUpdateGroup(group, member);
    return ErrorCodes.NONE;
  }

  private removeMemberAndUpdateGroup(group: ConsumerGroup, member: GroupMember): void {
    this.removeMember(group, member);
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') this.prepareRebalance(group);
    else if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
  }

  /** Remove a member; its waiting JoinGroup/SyncGroup get UNKNOWN_MEMBER_ID. */
  private removeMember(group: ConsumerGroup, member: GroupMember): void {
    this.timers.clear(this.key(group, 'session', member.memberId));
    member.joinWaiter?.resolve(joinError(ErrorCodes.UNKNOWN_MEMBER_ID, member.memberId, member.joinWaiter.version));
    member.syncWaiter?.resolve(syncAnswer(ErrorCodes.UNKNOWN_MEMBER_ID, EMPTY_BYTES));
    member.joinWaiter = null;
    member.syncWaiter = null;
    group.remove(member.memberId);
  }

  /** (Re)arm the member's session timer: no heartbeat, commit, join or sync within it removes the member. */
  private touchSession(group: ConsumerGroup, member: GroupMember): void {
    this.timers.set(this.key(group, 'session', member.memberId), member.sessionTimeoutMs, () => {
      if (group.members.get(member.memberId) !== member) return;
      // A member blocked in JoinGroup/SyncGroup cannot heartbeat; the rebalance and sync timeouts bound that wait.
      if (member.joinWaiter !== null || member.syncWaiter !== null) this.touchSession(group, member);
      else this.removeMemberAndUpdateGroup(group, member);
    });
  }

  private expirePendingMember(group: ConsumerGroup, memberId: string): void {
    if (group.pendingMembers.delete(memberId)) this.tryCompleteJoin(group);
  }

  private matchesSelectedProtocol(group: ConsumerGroup, req: SyncGroupRequest): boolean {
    const typeOk = req.protocolType == null || req.protocolType === group.protocolType;
    const nameOk = req.protocolName == null || req.protocolName === group.protocolName;
    return typeOk && nameOk;
  }

  private key(group: ConsumerGroup, kind: string, memberId = ''): string {
    return `${group.groupId}\u0000${kind}\u0000${memberId}`;
  }
}
