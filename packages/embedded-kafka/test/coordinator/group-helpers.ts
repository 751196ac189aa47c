import type { GroupCoordinator } from '../../src/coordinator/group-coordinator.js';
import type { JoinGroupProtocol, JoinGroupRequest, JoinGroupResponse, SyncGroupResponse } from '../../src/coordinator/group-messages.js';

/** Protocols from names; each protocol's metadata names the member and the protocol, to check what the leader receives. */
export function protocols(owner: string, ...names: string[]): JoinGroupProtocol[] {
  return names.map((name) => ({ name, metadata: Buffer.from(`${owner}:${name}`) }));
}

export interface JoinOptions {
  memberId?: string;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  protocolType?: string;
  protocols?: JoinGroupProtocol[];
}

export function joinRequest(groupId: string, opts: JoinOptions = {}): JoinGroupRequest {
  return {
    groupId,
    sessionTimeoutMs: opts.sessionTimeoutMs ?? 10_000,
    rebalanceTimeoutMs: opts.rebalanceTimeoutMs ?? 10_000,
    memberId: opts.memberId ?? '',
    groupInstanceId: null,
    protocolType: opts.protocolType ?? 'consumer',
    protocols: opts.protocols ?? protocols('x', 'range'),
    reason: null,
  };
}

/** The JoinGroup v4+ two-step join: the first call must answer MEMBER_ID_REQUIRED with an id to rejoin with. */
export async function joinTwoStep(gc: GroupCoordinator, groupId: string, clientId: string, opts: JoinOptions = {}, version = 5): Promise<JoinGroupResponse> {
  const first = await gc.joinGroup(joinRequest(groupId, opts), version, { clientId, clientHost: '/10.0.0.1' });
  if (first.errorCode !== 79) throw new Error(`expected MEMBER_ID_REQUIRED, got ${first.errorCode}`);
  return gc.joinGroup(joinRequest(groupId, { ...opts, memberId: first.memberId }), version, { clientId, clientHost: '/10.0.0.1' });
}

export function sync(gc: GroupCoordinator, groupId: string, join: JoinGroupResponse, assignments: Record<string, string> = {}, version = 3): Promise<SyncGroupResponse> {
  return gc.syncGroup(
    {
      groupId,
      generationId: join.generationId,
      memberId: join.memberId,
      groupInstanceId: null,
      assignments: Object.entries(assignments).map(([memberId, a]) => ({ memberId, assignment: Buffer.from(a) })),
    },
    version,
  );
}

export function heartbeat(gc: GroupCoordinator, groupId: string, memberId: string, generationId: number): number {
  return gc.heartbeat({ groupId, generationId, memberId, groupInstanceId: null }, 3).errorCode;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with whether `promise` settled within `ms`. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  await sleep(ms);
  return settled;
}

/** Join three members with the two-step join and bring the group to Stable; returns the joins in join order. */
export async function stableGroupOfThree(gc: GroupCoordinator, groupId: string, opts: JoinOptions = {}): Promise<JoinGroupResponse[]> {
  const joins = await Promise.all(['a', 'b', 'c'].map((c) => joinTwoStep(gc, groupId, `client-${c}`, { ...opts, protocols: protocols(c, 'range') })));
  const leader = joins.find((j) => j.leader === j.memberId)!;
  const assignments = Object.fromEntries(joins.map((j) => [j.memberId, `assigned-to-${j.memberId}`]));
  await Promise.all(joins.map((j) => sync(gc, groupId, j, j === leader ? assignments : {})));
  return joins;
}
