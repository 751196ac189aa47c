import { afterEach, describe, expect, it } from 'vitest';
import { GroupCoordinator, type GroupCoordinatorOptions, type GroupsSnapshot } from '../../src/coordinator/group-coordinator.js';
import type { OffsetCommitRequest } from '../../src/coordinator/group-messages.js';
import { stableGroupOfThree } from './group-helpers.js';

const open: GroupCoordinator[] = [];
const clock = 1_000_000;
function coordinator(opts: GroupCoordinatorOptions = {}): GroupCoordinator {
  const gc = new GroupCoordinator({ initialRebalanceDelayMs: 20, now: () => clock, ...opts });
  open.push(gc);
  return gc;
}

afterEach(() => {
  for (const gc of open.splice(0)) gc.close();
});

function commitReq(groupId: string, offsets: Record<string, number>, extra: Partial<OffsetCommitRequest> = {}): OffsetCommitRequest {
  const byTopic = new Map<string, Array<{ partitionIndex: number; committedOffset: number; committedMetadata: string | null }>>();
  for (const [tp, offset] of Object.entries(offsets)) {
    const [topic, partition] = tp.split(':') as [string, string];
    if (!byTopic.has(topic)) byTopic.set(topic, []);
    byTopic.get(topic)!.push({ partitionIndex: Number(partition), committedOffset: offset, committedMetadata: `m${offset}` });
  }
  return { groupId, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })), ...extra };
}

const errors = (r: { topics: Array<{ partitions: Array<{ errorCode: number }> }> }): number[] => r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));

describe('GroupCoordinator offsets', () => {
  it('accepts generation -1 commits on an Empty group for every OffsetCommit version and fetches them back', () => {
    const gc = coordinator();
    expect(errors(gc.offsetCommit(commitReq('simple', { 't:0': 10 }), 0))).toEqual([0]); // v0 has no generation
    expect(gc.groupState('simple')).toBe('Empty');
    for (const v of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
      const r = gc.offsetCommit(commitReq('simple', { [`t:${v}`]: 100 + v }, { generationIdOrMemberEpoch: -1, memberId: '' }), v);
      expect(errors(r)).toEqual([0]);
    }
    expect(gc.committedOffset('simple', 't', 0)).toBe(10);
    expect(gc.committedOffset('simple', 't', 9)).toBe(109);
    expect(gc.committedOffset('simple', 't', 42)).toBeUndefined();

    // v1-7 shape: one group, top-level error from v2.
    const v1 = gc.offsetFetch({ groupId: 'simple', topics: [{ name: 't', partitionIndexes: [0, 42] }] }, 1);
    expect(v1.topics).toEqual([
      {
        name: 't',
        partitions: [
          { partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: -1, metadata: 'm10', errorCode: 0 },
          { partitionIndex: 42, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
        ],
      },
    ]);
    // v2+: a null topic list means every committed partition.
    const all = gc.offsetFetch({ groupId: 'simple', topics: null }, 5);
    expect(all.errorCode).toBe(0);
    expect(all.topics![0]!.partitions.map((p) => p.partitionIndex).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // An unknown group has no offsets and no error.
    expect(gc.offsetFetch({ groupId: 'nobody', topics: [{ name: 't', partitionIndexes: [0] }] }, 4).topics![0]!.partitions[0]!.committedOffset).toBe(-1);
    expect(gc.offsetFetch({ groupId: 'nobody', topics: null }, 4).topics).toEqual([]);
  });

  it('answers the v8+ multi-group OffsetFetch form', () => {
    const gc = coordinator();
    gc.offsetCommit(commitReq('g1', { 'a:0': 1 }, { generationIdOrMemberEpoch: -1, memberId: '' }), 8);
    gc.offsetCommit(commitReq('g2', { 'b:1': 2 }, { generationIdOrMemberEpoch: -1, memberId: '' }), 8);
    const r = gc.offsetFetch(
      {
        groups: [
          { groupId: 'g1', topics: [{ name: 'a', partitionIndexes: [0] }] },
          { groupId: 'g2', topics: null },
          { groupId: 'g3', topics: [{ name: 'a', partitionIndexes: [0] }] },
        ],
        requireStable: false,
      },
      8,
    );
    expect(r.topics).toBeUndefined();
    expect(r.groups!.map((g) => [g.groupId, g.errorCode, g.topics.flatMap((t) => t.partitions.map((p) => `${t.name}:${p.partitionIndex}=${p.committedOffset}`))])).toEqual([
      ['g1', 0, ['a:0=1']],
      ['g2', 0, ['b:1=2']],
      ['g3', 0, ['a:0=-1']],
    ]);
  });

  it('stores leader epoch (v6+), explicit v1 commit timestamps and the clock otherwise', () => {
    const gc = coordinator();
    const req = commitReq('g', { 't:0': 5 }, { generationIdOrMemberEpoch: -1, memberId: '' });
    req.topics[0]!.partitions[0]!.committedLeaderEpoch = 7;
    gc.offsetCommit(req, 6);
    expect(gc.offsetFetch({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] }, 5).topics![0]!.partitions[0]!.committedLeaderEpoch).toBe(7);

    const v1 = commitReq('g', { 't:1': 6 }, { generationIdOrMemberEpoch: -1, memberId: '' });
    v1.topics[0]!.partitions[0]!.commitTimestamp = 12345;
    gc.offsetCommit(v1, 1);
    const v2 = commitReq('g', { 't:2': 7 }, { generationIdOrMemberEpoch: -1, memberId: '' });
    v2.topics[0]!.partitions[0]!.commitTimestamp = 999; // not part of v2: ignored
    gc.offsetCommit(v2, 2);
    const stamps = Object.fromEntries(gc.snapshot().offsets.map((o) => [o.partition, o.commitTimestampMs]));
    expect(stamps).toEqual({ 0: clock, 1: 12345, 2: clock });
  });

  it('checks generation and member of group commits', async () => {
    const gc = coordinator();
    const [a, b] = await stableGroupOfThree(gc, 'g');
    const ok = gc.offsetCommit(commitReq('g', { 't:0': 1, 't:1': 2 }, { generationIdOrMemberEpoch: 1, memberId: a!.memberId }), 5);
    expect(errors(ok)).toEqual([0, 0]);
    expect(errors(gc.offsetCommit(commitReq('g', { 't:0': 3 }, { generationIdOrMemberEpoch: 0, memberId: b!.memberId }), 5))).toEqual([22]);
    expect(errors(gc.offsetCommit(commitReq('g', { 't:0': 3 }, { generationIdOrMemberEpoch: 1, memberId: 'ghost' }), 5))).toEqual([25]);
    // A simple (generation -1) commit is only for groups without members.
    expect(errors(gc.offsetCommit(commitReq('g', { 't:0': 3 }, { generationIdOrMemberEpoch: -1, memberId: '' }), 2))).toEqual([25]);
    expect(gc.committedOffset('g', 't', 0)).toBe(1);
    // A generation on a group that does not exist is stale.
    expect(errors(gc.offsetCommit(commitReq('none', { 't:0': 3 }, { generationIdOrMemberEpoch: 4, memberId: 'x' }), 5))).toEqual([22]);
    expect(gc.groupState('none')).toBeUndefined();
  });

  it('rejects oversized metadata and, when told which partitions exist, unknown partitions', () => {
    const gc = coordinator({ partitionExists: (topic) => topic === 'known' });
    const req = commitReq('g', { 'known:0': 1, 'unknown:0': 2 }, { generationIdOrMemberEpoch: -1, memberId: '' });
    expect(errors(gc.offsetCommit(req, 3))).toEqual([0, 3]);
    const big = commitReq('g', { 'known:1': 1 }, { generationIdOrMemberEpoch: -1, memberId: '' });
    big.topics[0]!.partitions[0]!.committedMetadata = 'x'.repeat(4097);
    expect(errors(gc.offsetCommit(big, 3))).toEqual([12]);
    expect(gc.committedOffset('g', 'known', 1)).toBeUndefined();
  });

  it('notifies listeners on commits', () => {
    const gc = coordinator();
    let changes = 0;
    gc.onChange(() => changes++);
    gc.offsetCommit(commitReq('g', { 't:0': 1 }, { generationIdOrMemberEpoch: -1, memberId: '' }), 2);
    expect(changes).toBe(1);
    gc.offsetCommit(commitReq('g', { 't:0': 1 }, { generationIdOrMemberEpoch: 3, memberId: 'x' }), 2); // rejected
    expect(changes).toBe(1);
  });
});

describe('GroupCoordinator transactional offsets', () => {
  it('stages TxnOffsetCommit offsets until the transaction ends, and reports them unstable meanwhile', () => {
    const gc = coordinator();
    gc.offsetCommit(commitReq('g', { 't:0': 1 }, { generationIdOrMemberEpoch: -1, memberId: '' }), 2);
    const staged = gc.txnOffsetCommit(
      { transactionalId: 'tx', groupId: 'g', producerId: 7, producerEpoch: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 50, committedMetadata: null }] }] },
      1,
      7,
    );
    expect(errors(staged)).toEqual([0]);
    expect(gc.committedOffset('g', 't', 0)).toBe(1);
    const stable = gc.offsetFetch({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }], requireStable: true }, 7);
    expect(stable.topics![0]!.partitions[0]!.errorCode).toBe(88);
    gc.completeTxnOffsets('g', 7, true);
    expect(gc.committedOffset('g', 't', 0)).toBe(50);

    gc.txnOffsetCommit({ transactionalId: 'tx', groupId: 'g', producerId: 7, producerEpoch: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 60, committedMetadata: 'x' }] }] }, 1, 7);
    gc.completeTxnOffsets('g', 7, false);
    expect(gc.committedOffset('g', 't', 0)).toBe(50);
  });

  it('checks member and generation of TxnOffsetCommit v3+', async () => {
    const gc = coordinator();
    const [a] = await stableGroupOfThree(gc, 'g');
    const req = (generationId: number, memberId: string) => ({
      transactionalId: 'tx',
      groupId: 'g',
      producerId: 1,
      producerEpoch: 0,
      generationId,
      memberId,
      groupInstanceId: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedMetadata: null }] }],
    });
    expect(errors(gc.txnOffsetCommit(req(1, a!.memberId), 3, 1))).toEqual([0]);
    expect(errors(gc.txnOffsetCommit(req(1, 'ghost'), 3, 1))).toEqual([25]);
    expect(errors(gc.txnOffsetCommit(req(0, a!.memberId), 3, 1))).toEqual([22]);
    expect(errors(gc.txnOffsetCommit(req(0, 'ghost'), 1, 1))).toEqual([0]); // v0-2 carry no membership
  });
});

describe('GroupCoordinator list, describe, delete and persistence', () => {
  it('lists groups with state and type filters and describes them', async () => {
    const gc = coordinator();
    const [a, b, c] = await stableGroupOfThree(gc, 'live');
    gc.offsetCommit(commitReq('simple', { 't:0': 1 }, { generationIdOrMemberEpoch: -1, memberId: '' }), 2);

    const names = (v: number, filter: { statesFilter?: string[]; typesFilter?: string[] } = {}) =>
      gc.listGroups(filter, v).groups.map((g) => g.groupId).sort();
    expect(names(0)).toEqual(['live', 'simple']);
    expect(names(4, { statesFilter: ['stable'] })).toEqual(['live']);
    expect(names(4, { statesFilter: ['Empty'] })).toEqual(['simple']);
    expect(names(5, { typesFilter: ['consumer'] })).toEqual([]);
    expect(names(5, { typesFilter: ['classic'] })).toEqual(['live', 'simple']);
    expect(gc.listGroups({}, 4).groups.find((g) => g.groupId === 'live')).toMatchObject({ protocolType: 'consumer', groupState: 'Stable' });

    const d = gc.describeGroups({ groups: ['live', 'missing'], includeAuthorizedOperations: false }, 2).groups;
    expect(d[0]).toMatchObject({ errorCode: 0, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(d[0]!.members.map((m) => [m.memberId, m.clientId, m.memberMetadata.toString(), m.memberAssignment.toString()])).toEqual(
      [a!, b!, c!].map((j, i) => [j.memberId, `client-${'abc'[i]}`, `${'abc'[i]}:range`, `assigned-to-${j.memberId}`]),
    );
    expect(d[1]).toMatchObject({ errorCode: 0, groupId: 'missing', groupState: 'Dead', protocolType: '', protocolData: '', members: [] });
  });

  it('deletes only empty groups, with their offsets', async () => {
    const gc = coordinator();
    await stableGroupOfThree(gc, 'live');
    gc.offsetCommit(commitReq('simple', { 't:0': 1 }, { generationIdOrMemberEpoch: -1, memberId: '' }), 2);
    const r = gc.deleteGroups({ groupsNames: ['live', 'simple', 'missing'] }, 1);
    expect(r.results).toEqual([
      { groupId: 'live', errorCode: 68 },
      { groupId: 'simple', errorCode: 0 },
      { groupId: 'missing', errorCode: 69 },
    ]);
    expect(gc.committedOffset('simple', 't', 0)).toBeUndefined();
    expect(gc.groupState('simple')).toBeUndefined();
    expect(gc.describeGroups({ groups: ['simple'] }, 0).groups[0]!.groupState).toBe('Dead');
  });

  it('round-trips offsets, staged offsets and generations through a JSON snapshot', async () => {
    const gc = coordinator();
    await stableGroupOfThree(gc, 'live');
    gc.offsetCommit(commitReq('simple', { 't:0': 1, 'u:3': 4 }, { generationIdOrMemberEpoch: -1, memberId: '' }), 2);
    gc.txnOffsetCommit({ transactionalId: 'tx', groupId: 'simple', producerId: 9, producerEpoch: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 77, committedMetadata: null }] }] }, 1, 9);

    const saved = JSON.parse(JSON.stringify(gc.snapshot())) as GroupsSnapshot;
    const restored = coordinator();
    restored.restore(saved);
    expect(restored.snapshot()).toEqual(gc.snapshot());
    expect(restored.committedOffset('simple', 'u', 3)).toBe(4);
    expect(restored.groupState('live')).toBe('Empty'); // members rejoin after a restart
    // The restored group keeps its generation: a member of the old generation must rejoin.
    expect(restored.heartbeat({ groupId: 'live', generationId: 1, memberId: 'old' }, 3).errorCode).toBe(25);
    // A transaction prepared before the restart can still be committed.
    restored.completeTxnOffsets('simple', 9, true);
    expect(restored.committedOffset('simple', 't', 0)).toBe(77);
  });
});
