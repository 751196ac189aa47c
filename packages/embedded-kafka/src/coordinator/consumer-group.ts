import type { JoinGroupProtocol, JoinGroupResponse, SyncGroupResponse } from './group-messages.js';
import { canJoinWith, selectProtocol } from './protocol-selection.js';

/** Classic group states, named as Kafka reports them in DescribeGroups/ListGroups. */
export type GroupStateName = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

const validPreviousStates: Record<GroupStateName, readonly GroupStateName[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Empty', 'Stable', 'CompletingRebalance'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'],
};

export const EMPTY_BYTES = Buffer.alloc(0);

/** A pending JoinGroup or SyncGroup answer, with the API version it must be shaped for. */
export interface Waiter<R> {
  resolve: (response: R) => void;
  version: number;
}

/** One member of a group and its pending long-poll answers. */
export class GroupMember {
  assignment: Buffer = EMPTY_BYTES;
  joinWaiter: Waiter<JoinGroupResponse> | null = null;
  syncWaiter: Waiter<SyncGroupResponse> | null = null;

  constructor(
    readonly memberId: string,
    public groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public sessionTimeoutMs: number,
    public rebalanceTimeoutMs: number,
    public protocols: JoinGroupProtocol[],
  ) {}

  metadataFor(protocolName: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY_BYTES;
  }

  /** Same protocol names and metadata bytes, in the same order. */
  hasSameProtocols(protocols: readonly JoinGroupProtocol[]): boolean {
    return (
      protocols.length === this.protocols.length &&
      protocols.every((p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata))
    );
  }
}

/**
 * The state of one classic consumer group: members, generation, leader, selected protocol.
 * Pure bookkeeping; the timers and long-poll answers live in GroupMembership.
 */
export class ConsumerGroup {
  state: GroupStateName = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, GroupMember>();
  /** Member ids handed out by a v4+ MEMBER_ID_REQUIRED answer that have not joined yet. */
  readonly pendingMembers = new Set<string>();
  /** Members of the current generation that have not sent SyncGroup yet. */
  readonly pendingSync = new Set<string>();
  /** The initial (delayed) join of an Empty group is running and cannot complete early. */
  initialJoinActive = false;
  /** A member joined during the initial delay: extend the delay once more. */
  newMemberAdded = false;

  constructor(readonly groupId: string) {}

  transitionTo(target: GroupStateName): void {
    if (!validPreviousStates[target].includes(this.state)) {
      throw new Error(`group ${this.groupId}: invalid transition ${this.state} -> ${target}`);
    }
    this.state = target;
  }

  add(member: GroupMember): void {
    this.members.set(member.memberId, member);
    if (this.leaderId === null) this.leaderId = member.memberId;
  }

  /** Remove a member; a removed leader is replaced by the oldest remaining member. */
  remove(memberId: string): void {
    this.members.delete(memberId);
    this.pendingSync.delete(memberId);
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  /** Every member has a JoinGroup waiting and no two-step joiner is outstanding. */
  allMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false;
    for (const member of this.members.values()) if (member.joinWaiter === null) return false;
    return true;
  }

  /** The longest rebalance timeout of the members (how long a rebalance waits for rejoins). */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const member of this.members.values()) max = Math.max(max, member.rebalanceTimeoutMs);
    return max;
  }

  /** Whether a member may (re)join with this protocol type and protocol list. */
  supportsProtocols(memberId: string, protocolType: string, protocols: readonly JoinGroupProtocol[]): boolean {
    if (protocolType === '' || protocols.length === 0) return false;
    const others = [...this.members.values()].filter((m) => m.memberId !== memberId);
    if (others.length === 0) return true;
    return this.protocolType === protocolType && canJoinWith(others, protocols);
  }

  /** Start the next generation: CompletingRebalance with a selected protocol, or Empty without members. */
  initNextGeneration(): void {
    this.generationId += 1;
    this.pendingSync.clear();
    if (this.members.size === 0) {
      this.protocolName = null;
      this.transitionTo('Empty');
      return;
    }
    this.protocolName = selectProtocol([...this.members.values()]);
    for (const memberId of this.members.keys()) this.pendingSync.add(memberId);
    this.transitionTo('CompletingRebalance');
  }
}
