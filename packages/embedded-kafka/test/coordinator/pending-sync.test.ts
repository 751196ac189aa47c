/**
 * Pending SyncGroup handling (issue #14). Kafka: JoinGroup v0 has no rebalance timeout, so the
 * session timeout stands in (JoinGroupRequest.maybeOverrideRebalanceTimeout); after a join phase
 * the coordinator waits the group's rebalance timeout for every member's SyncGroup and then removes
 * the members that never sent one, whether the group is still CompletingRebalance or already
 * Stable (GroupCoordinator.schedulePendingSync / onExpirePendingSync). Here a v1+ rebalance
 * timeout of 0 counts as unset too, so no 0 ms timer removes a member before its SyncGroup.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupCoordinator } from '../../src/coordinator/group-coordinator.js';
import type { JoinGroupResponse } from '../../src/coordinator/group-messages.js';
import { startCluster, type EmbeddedCluster } from '../../src/index.js';
import { RawClient } from '../support/raw-client.js';
import { heartbeat, joinRequest, sleep, sync, type JoinOptions } from './group-helpers.js';

const INITIAL_DELAY_MS = 10;
const client = (id: string) => ({ clientId: id, clientHost: '/10.0.0.1' });

/** One member's join: v0-3 in one step, v4+ with the MEMBER_ID_REQUIRED round trip. */
async function join(gc: GroupCoordinator, groupId: string, id: string, version: number, opts: JoinOptions): Promise<JoinGroupResponse> {
  const req = joinRequest(groupId, opts);
  if (version < 4) return gc.joinGroup(req, version, client(id));
  const first = await gc.joinGroup(req, version, client(id));
  return gc.joinGroup({ ...req, memberId: first.memberId }, version, client(id));
}

/** Leader and follower joined (leader first); generation 1 is CompletingRebalance. */
async function joinTwo(gc: GroupCoordinator, groupId: string, version: number, opts: JoinOptions): Promise<[JoinGroupResponse, JoinGroupResponse]> {
  const joins = Promise.all([join(gc, groupId, 'a', version, opts), join(gc, groupId, 'b', version, opts)]);
  await vi.advanceTimersByTimeAsync(INITIAL_DELAY_MS * 3); // the initial delay gathers both (b's arrival extends it once)
  const [a, b] = await joins;
  return a!.leader === a!.memberId ? [a!, b!] : [b!, a!];
}

describe('GroupCoordinator pending sync (fake timers)', () => {
  let gc: GroupCoordinator;
  beforeEach(() => {
    vi.useFakeTimers();
    gc = new GroupCoordinator({ minSessionTimeoutMs: 10, initialRebalanceDelayMs: INITIAL_DELAY_MS });
  });
  afterEach(() => {
    gc.close();
    expect(gc.pendingTimers).toBe(0);
    vi.useRealTimers();
  });

  it('a JoinGroup with rebalanceTimeout 0 (v5) or without one (v0) followed shortly by SyncGroup succeeds, 50 times', async () => {
    for (let i = 0; i < 50; i++) {
      const version = i % 2 === 0 ? 5 : 0;
      const opts = version === 0 ? { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: -1 } : { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 0 };
      const [leader, follower] = await joinTwo(gc, `g${i}`, version, opts);
      expect([leader.errorCode, follower.errorCode, leader.generationId]).toEqual([0, 0, 1]);
      // The SyncGroups come a few ms later, as over a network: a 0 ms pending-sync timer would have fired by then.
      await vi.advanceTimersByTimeAsync(5);
      const [sl, sf] = await Promise.all([
        sync(gc, `g${i}`, leader, { [leader.memberId]: 'L', [follower.memberId]: 'F' }),
        sync(gc, `g${i}`, follower),
      ]);
      expect([sl.errorCode, sl.assignment.toString(), sf.errorCode, sf.assignment.toString()]).toEqual([0, 'L', 0, 'F']);
      expect(gc.groupState(`g${i}`)).toBe('Stable');
    }
  });

  it.each([
    { title: 'rebalanceTimeout 0: the session timeout', version: 5, sessionTimeoutMs: 1000, rebalanceTimeoutMs: 0, expiresAfter: 1000 },
    { title: 'JoinGroup v0: the session timeout', version: 0, sessionTimeoutMs: 1000, rebalanceTimeoutMs: -1, expiresAfter: 1000 },
    { title: 'rebalanceTimeout 300: the rebalance timeout', version: 5, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 300, expiresAfter: 300 },
  ])('a member that heartbeats but never sends SyncGroup is removed from the Stable group after $title', async ({ version, sessionTimeoutMs, rebalanceTimeoutMs, expiresAfter }) => {
    const [leader, follower] = await joinTwo(gc, 'g', version, { sessionTimeoutMs, rebalanceTimeoutMs });
    await sync(gc, 'g', leader, { [leader.memberId]: 'L', [follower.memberId]: 'F' });
    expect(gc.groupState('g')).toBe('Stable');
    // Both heartbeat every 100 ms, so neither session runs out; only the follower's sync is missing.
    for (let t = 100; t < expiresAfter; t += 100) {
      await vi.advanceTimersByTimeAsync(100);
      expect([heartbeat(gc, 'g', leader.memberId, 1), heartbeat(gc, 'g', follower.memberId, 1)]).toEqual([0, 0]);
    }
    await vi.advanceTimersByTimeAsync(100);
    expect(gc.groupState('g')).toBe('PreparingRebalance');
    expect(heartbeat(gc, 'g', follower.memberId, 1)).toBe(25);
    expect(heartbeat(gc, 'g', leader.memberId, 1)).toBe(27);
    const rejoin = await gc.joinGroup(joinRequest('g', { sessionTimeoutMs, rebalanceTimeoutMs, memberId: leader.memberId }), version, client('a'));
    expect([rejoin.generationId, rejoin.members.map((m) => m.memberId)]).toEqual([2, [leader.memberId]]);
  });

  it('a follower whose SyncGroup comes after the leader made the group Stable stays', async () => {
    const [leader, follower] = await joinTwo(gc, 'g', 5, { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 300 });
    await sync(gc, 'g', leader, { [follower.memberId]: 'F' });
    await vi.advanceTimersByTimeAsync(200);
    expect((await sync(gc, 'g', follower)).assignment.toString()).toBe('F');
    await vi.advanceTimersByTimeAsync(1000);
    expect([gc.groupState('g'), heartbeat(gc, 'g', follower.memberId, 1)]).toEqual(['Stable', 0]);
  });
});

describe('JoinGroup with rebalanceTimeout 0 over the wire', () => {
  let cluster: EmbeddedCluster;
  let raw: RawClient;
  beforeAll(async () => {
    cluster = await startCluster();
    raw = await RawClient.connect(cluster.bootstrapServers[0]!);
  });
  afterAll(async () => {
    raw?.close();
    await cluster?.stop();
  });

  it('SyncGroup right after JoinGroup v0 / v5 (rebalanceTimeoutMs 0) succeeds every time, 50 times', async () => {
    const protocols = [{ name: 'range', metadata: Buffer.from('m') }];
    for (let i = 0; i < 50; i++) {
      const version = i % 2 === 0 ? 5 : 0;
      const groupId = `wire-${i}`;
      // Kafka's smallest default group.min.session.timeout.ms is 6000.
      const body = { groupId, sessionTimeoutMs: 6000, rebalanceTimeoutMs: 0, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols };
      let joined = await raw.call(11, version, body);
      if (version >= 4 && joined.errorCode === 79) joined = await raw.call(11, version, { ...body, memberId: joined.memberId });
      expect([joined.errorCode, joined.generationId]).toEqual([0, 1]);
      await sleep(2);
      const synced = await raw.call(14, version === 0 ? 0 : 3, {
        groupId, generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null,
        assignments: [{ memberId: joined.memberId, assignment: Buffer.from(`a${i}`) }],
      });
      expect([synced.errorCode, synced.assignment.toString()]).toEqual([0, `a${i}`]);
    }
  });
});
