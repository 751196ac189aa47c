import { afterEach, describe, expect, it } from 'vitest';
import { GroupCoordinator, type GroupCoordinatorOptions } from '../../src/coordinator/group-coordinator.js';
import { heartbeat, joinRequest, joinTwoStep, protocols, settlesWithin, sleep, stableGroupOfThree, sync } from './group-helpers.js';

const open: GroupCoordinator[] = [];
function coordinator(opts: GroupCoordinatorOptions = {}): GroupCoordinator {
  const gc = new GroupCoordinator({ initialRebalanceDelayMs: 30, minSessionTimeoutMs: 10, ...opts });
  open.push(gc);
  return gc;
}

afterEach(() => {
  for (const gc of open.splice(0)) {
    gc.close();
    expect(gc.pendingTimers).toBe(0);
  }
});

describe('GroupCoordinator join and sync', () => {
  it('joins three members with the v4+ two-step join, elects the first joiner and selects a protocol by votes', async () => {
    const gc = coordinator();
    const client = { clientId: 'client-a', clientHost: '/10.0.0.1' };
    const first = await gc.joinGroup(joinRequest('g', { protocols: protocols('a', 'roundrobin', 'range') }), 5, client);
    expect(first.errorCode).toBe(79);
    expect(first.generationId).toBe(-1);
    expect(first.memberId).toMatch(/^client-a-[0-9a-f-]{36}$/);

    const joinA = gc.joinGroup(joinRequest('g', { memberId: first.memberId, protocols: protocols('a', 'roundrobin', 'range') }), 5, client);
    const joinB = joinTwoStep(gc, 'g', 'client-b', { protocols: protocols('b', 'range', 'roundrobin') });
    const joinC = joinTwoStep(gc, 'g', 'client-c', { protocols: protocols('c', 'range', 'roundrobin', 'sticky') });
    const [a, b, c] = await Promise.all([joinA, joinB, joinC]);

    for (const r of [a, b, c]) {
      expect(r.errorCode).toBe(0);
      expect(r.generationId).toBe(1);
      expect(r.leader).toBe(a.memberId);
      expect(r.protocolName).toBe('range'); // two votes against one
    }
    expect(new Set([a.memberId, b.memberId, c.memberId]).size).toBe(3);
    // Only the leader gets the members, each with its metadata for the selected protocol.
    expect(b.members).toEqual([]);
    expect(c.members).toEqual([]);
    expect(a.members.map((m) => [m.memberId, m.metadata.toString()])).toEqual([
      [a.memberId, 'a:range'],
      [b.memberId, 'b:range'],
      [c.memberId, 'c:range'],
    ]);
    expect(gc.groupState('g')).toBe('CompletingRebalance');

    // Followers wait in SyncGroup until the leader sends the assignment.
    const syncB = sync(gc, 'g', b);
    const syncC = sync(gc, 'g', c);
    expect(await settlesWithin(syncB, 20)).toBe(false);
    const syncA = sync(gc, 'g', a, { [a.memberId]: 'pa', [b.memberId]: 'pb' }); // c gets an empty assignment
    const [sa, sb, sc] = await Promise.all([syncA, syncB, syncC]);
    expect([sa.errorCode, sb.errorCode, sc.errorCode]).toEqual([0, 0, 0]);
    expect([sa.assignment.toString(), sb.assignment.toString(), sc.assignment.length]).toEqual(['pa', 'pb', 0]);
    expect(gc.groupState('g')).toBe('Stable');

    // A follower's later SyncGroup in the same generation gets its assignment at once.
    expect((await sync(gc, 'g', b)).assignment.toString()).toBe('pb');
    // SyncGroup v5 carries the protocol type and name.
    const v5 = await sync(gc, 'g', b, {}, 5);
    expect([v5.protocolType, v5.protocolName]).toEqual(['consumer', 'range']);
  });

  it('extends the initial rebalance delay while new members keep arriving', async () => {
    const gc = coordinator({ initialRebalanceDelayMs: 80 });
    const a = gc.joinGroup(joinRequest('g', { protocols: protocols('a', 'range') }), 3);
    await sleep(50);
    const b = gc.joinGroup(joinRequest('g', { protocols: protocols('b', 'range') }), 3);
    await sleep(60); // past the first delay: b's arrival extended it
    const c = gc.joinGroup(joinRequest('g', { protocols: protocols('c', 'range') }), 3);
    const joins = await Promise.all([a, b, c]);
    expect(joins.map((j) => j.generationId)).toEqual([1, 1, 1]);
    expect(joins[0]!.members).toHaveLength(3);
  });

  it('answers a follower that rejoins a Stable group with unchanged protocols at once', async () => {
    const gc = coordinator();
    const [a, b] = await stableGroupOfThree(gc, 'g');
    const follower = b!.leader === b!.memberId ? a! : b!;
    const again = await gc.joinGroup(joinRequest('g', { memberId: follower.memberId, protocols: protocols(follower === a ? 'a' : 'b', 'range') }), 5);
    expect([again.errorCode, again.generationId, again.members]).toEqual([0, 1, []]);
    expect(gc.groupState('g')).toBe('Stable');
  });

  it('answers JoinGroup v0-3 in one step and keeps versions apart in error shapes', async () => {
    const gc = coordinator({ initialRebalanceDelayMs: 0 });
    const r = await gc.joinGroup(joinRequest('g'), 3, { clientId: 'kcat', clientHost: '/h' });
    expect(r.errorCode).toBe(0);
    expect(r.generationId).toBe(1);
    expect(r.memberId).toMatch(/^kcat-/);
    expect(r.leader).toBe(r.memberId);

    const unknown = await gc.joinGroup(joinRequest('nope', { memberId: 'ghost' }), 7);
    expect([unknown.errorCode, unknown.protocolName]).toEqual([25, null]);
    const unknownV6 = await gc.joinGroup(joinRequest('nope', { memberId: 'ghost' }), 6);
    expect([unknownV6.errorCode, unknownV6.protocolName]).toEqual([25, '']);
  });

  it('rejects bad JoinGroups: session timeout range, empty group id, inconsistent protocols', async () => {
    const gc = coordinator({ initialRebalanceDelayMs: 0, minSessionTimeoutMs: 6000, maxSessionTimeoutMs: 300_000 });
    expect((await gc.joinGroup(joinRequest('g', { sessionTimeoutMs: 5999 }), 5)).errorCode).toBe(26);
    expect((await gc.joinGroup(joinRequest('g', { sessionTimeoutMs: 300_001 }), 5)).errorCode).toBe(26);
    expect((await gc.joinGroup(joinRequest(''), 5)).errorCode).toBe(24);
    expect((await gc.joinGroup(joinRequest('g', { protocols: [] }), 3)).errorCode).toBe(23);

    expect((await gc.joinGroup(joinRequest('g', { protocols: protocols('a', 'range') }), 3)).errorCode).toBe(0);
    expect((await gc.joinGroup(joinRequest('g', { protocols: protocols('b', 'sticky') }), 3)).errorCode).toBe(23);
    expect((await gc.joinGroup(joinRequest('g', { protocolType: 'connect' }), 3)).errorCode).toBe(23);
  });

  it('answers heartbeats by state: 0 when Stable or CompletingRebalance, 27 when PreparingRebalance, 22 stale, 25 unknown', async () => {
    const gc = coordinator();
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((x) => joinTwoStep(gc, 'g', x, { protocols: protocols(x, 'range') })));
    expect(gc.groupState('g')).toBe('CompletingRebalance');
    expect(heartbeat(gc, 'g', b!.memberId, 1)).toBe(0);
    // Offsets cannot be committed while the assignment is being computed.
    const commit = gc.offsetCommit({ groupId: 'g', generationIdOrMemberEpoch: 1, memberId: b!.memberId, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedMetadata: null }] }] }, 5);
    expect(commit.topics[0]!.partitions[0]!.errorCode).toBe(27);

    await Promise.all([sync(gc, 'g', a!, { [a!.memberId]: 'x' }), sync(gc, 'g', b!), sync(gc, 'g', c!)]);
    expect(heartbeat(gc, 'g', a!.memberId, 1)).toBe(0);
    expect(heartbeat(gc, 'g', a!.memberId, 0)).toBe(22);
    expect(heartbeat(gc, 'g', 'nobody', 1)).toBe(25);
    expect(heartbeat(gc, 'unknown-group', a!.memberId, 1)).toBe(25);
    expect(heartbeat(gc, '', a!.memberId, 1)).toBe(24);

    // The leader rejoining starts a rebalance; the others learn it from their heartbeats.
    const rejoinA = gc.joinGroup(joinRequest('g', { memberId: a!.memberId, protocols: protocols('a', 'range') }), 5);
    expect(gc.groupState('g')).toBe('PreparingRebalance');
    expect(heartbeat(gc, 'g', b!.memberId, 1)).toBe(27);
    expect(heartbeat(gc, 'g', c!.memberId, 0)).toBe(22);
    // A commit with the current generation is still allowed while preparing a rebalance.
    const late = gc.offsetCommit({ groupId: 'g', generationIdOrMemberEpoch: 1, memberId: c!.memberId, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 9, committedMetadata: null }] }] }, 5);
    expect(late.topics[0]!.partitions[0]!.errorCode).toBe(0);

    const [ra, rb, rc] = await Promise.all([
      rejoinA,
      gc.joinGroup(joinRequest('g', { memberId: b!.memberId, protocols: protocols('b', 'range') }), 5),
      gc.joinGroup(joinRequest('g', { memberId: c!.memberId, protocols: protocols('c', 'range') }), 5),
    ]);
    expect([ra.generationId, rb.generationId, rc.generationId]).toEqual([2, 2, 2]);
    expect(ra.leader).toBe(a!.memberId); // the leader keeps its role when it rejoins
    expect(ra.members).toHaveLength(3);
  });

  it('rebalances when a member leaves (LeaveGroup v3 batch and v0 single member)', async () => {
    const gc = coordinator();
    const [a, b, c] = await stableGroupOfThree(gc, 'g');
    const left = gc.leaveGroup({ groupId: 'g', members: [{ memberId: c!.memberId, groupInstanceId: null }, { memberId: 'ghost', groupInstanceId: null }] }, 3);
    expect(left.errorCode).toBe(0);
    expect(left.members!.map((m) => m.errorCode)).toEqual([0, 25]);
    expect(gc.groupState('g')).toBe('PreparingRebalance');
    expect(heartbeat(gc, 'g', a!.memberId, 1)).toBe(27);
    expect(heartbeat(gc, 'g', c!.memberId, 1)).toBe(25);

    const [ra, rb] = await Promise.all(
      [a!, b!].map((j, i) => gc.joinGroup(joinRequest('g', { memberId: j.memberId, protocols: protocols(['a', 'b'][i]!, 'range') }), 5)),
    );
    expect(ra!.generationId).toBe(2);
    expect(ra!.members.map((m) => m.memberId)).toEqual([a!.memberId, b!.memberId]);
    expect(rb!.leader).toBe(a!.memberId);

    await Promise.all([sync(gc, 'g', ra!, { [a!.memberId]: '1', [b!.memberId]: '2' }), sync(gc, 'g', rb!)]);
    // The leader leaves with v0: the remaining member becomes leader after the rebalance.
    expect(gc.leaveGroup({ groupId: 'g', memberId: a!.memberId }, 0)).toEqual({ errorCode: 0 });
    expect(gc.leaveGroup({ groupId: 'g', memberId: a!.memberId }, 1)).toEqual({ errorCode: 25 });
    const solo = await gc.joinGroup(joinRequest('g', { memberId: b!.memberId, protocols: protocols('b', 'range') }), 5);
    expect([solo.generationId, solo.leader, solo.members.length]).toEqual([3, b!.memberId, 1]);

    // Last member leaving empties the group.
    await sync(gc, 'g', solo, { [b!.memberId]: 'all' });
    gc.leaveGroup({ groupId: 'g', members: [{ memberId: b!.memberId }] }, 4);
    expect(gc.groupState('g')).toBe('Empty');
    expect(heartbeat(gc, 'g', b!.memberId, 4)).toBe(25);
  });

  it('removes a member whose session expires and rebalances the rest', async () => {
    const gc = coordinator();
    const opts = { sessionTimeoutMs: 150, rebalanceTimeoutMs: 2000 };
    const [a, b] = await Promise.all([joinTwoStep(gc, 'g', 'a', opts), joinTwoStep(gc, 'g', 'b', opts)]);
    await Promise.all([sync(gc, 'g', a!, { [a!.memberId]: 'x', [b!.memberId]: 'y' }), sync(gc, 'g', b!)]);

    // Only a keeps heartbeating; b's session runs out.
    let code = 0;
    for (let i = 0; i < 20 && code === 0; i++) {
      await sleep(40);
      code = heartbeat(gc, 'g', a!.memberId, 1);
    }
    expect(code).toBe(27);
    expect(heartbeat(gc, 'g', b!.memberId, 1)).toBe(25);
    const rejoined = await gc.joinGroup(joinRequest('g', { ...opts, memberId: a!.memberId }), 5);
    expect([rejoined.generationId, rejoined.members.map((m) => m.memberId)]).toEqual([2, [a!.memberId]]);
  });

  it('completes a rebalance without members that do not rejoin within the rebalance timeout', async () => {
    const gc = coordinator();
    const opts = { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 200 };
    const [a, b] = await Promise.all([joinTwoStep(gc, 'g', 'a', opts), joinTwoStep(gc, 'g', 'b', opts)]);
    await Promise.all([sync(gc, 'g', a!, {}), sync(gc, 'g', b!)]);

    const started = Date.now();
    const rejoin = await gc.joinGroup(joinRequest('g', { ...opts, memberId: a!.memberId }), 5);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(150);
    expect(waited).toBeLessThan(200 + 5000);
    expect([rejoin.errorCode, rejoin.generationId, rejoin.members.map((m) => m.memberId)]).toEqual([0, 2, [a!.memberId]]);
    expect(heartbeat(gc, 'g', b!.memberId, 1)).toBe(25);
  });

  it('drops members that never send SyncGroup and answers the waiting followers with 27', async () => {
    const gc = coordinator();
    const opts = { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 150 };
    const [a, b] = await Promise.all([joinTwoStep(gc, 'g', 'a', opts), joinTwoStep(gc, 'g', 'b', opts)]);
    expect(a!.leader).toBe(a!.memberId);
    const follower = await sync(gc, 'g', b!); // the leader never syncs
    expect(follower.errorCode).toBe(27);
    const again = await gc.joinGroup(joinRequest('g', { ...opts, memberId: b!.memberId }), 5);
    expect([again.generationId, again.leader]).toEqual([2, b!.memberId]);
  });

  it('forgets a two-step joiner that does not come back within its session timeout', async () => {
    const gc = coordinator({ initialRebalanceDelayMs: 0 });
    const a = await gc.joinGroup(joinRequest('g'), 3);
    await sync(gc, 'g', a, { [a.memberId]: 'x' });
    const pending = await gc.joinGroup(joinRequest('g', { sessionTimeoutMs: 50 }), 5);
    expect(pending.errorCode).toBe(79);
    await sleep(100);
    expect((await gc.joinGroup(joinRequest('g', { memberId: pending.memberId }), 5)).errorCode).toBe(25);
    expect(gc.groupState('g')).toBe('Stable');
  });

  it('answers pending JoinGroup and SyncGroup calls with NOT_COORDINATOR on close and leaves no timers', async () => {
    const gc = new GroupCoordinator({ initialRebalanceDelayMs: 60_000 });
    const join = gc.joinGroup(joinRequest('g'), 3);
    expect(await settlesWithin(join, 20)).toBe(false);
    expect(gc.pendingTimers).toBeGreaterThan(0);
    gc.close();
    expect((await join).errorCode).toBe(16);
    expect(gc.pendingTimers).toBe(0);
    expect(heartbeat(gc, 'g', 'x', 0)).toBe(16);
  });

  it('answers a waiting JoinGroup with UNKNOWN_MEMBER_ID when the member leaves', async () => {
    const gc = coordinator({ initialRebalanceDelayMs: 60_000 });
    const first = await gc.joinGroup(joinRequest('g'), 5);
    const join = gc.joinGroup(joinRequest('g', { memberId: first.memberId }), 5);
    gc.leaveGroup({ groupId: 'g', members: [{ memberId: first.memberId }] }, 3);
    expect((await join).errorCode).toBe(25);
  });
});
