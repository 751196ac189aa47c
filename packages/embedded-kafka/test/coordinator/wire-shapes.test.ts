/**
 * Every version of every coordinator API through the real codec: a client-encoded request is
 * decoded, handled, and the response encoded and decoded again. Assigning decoded requests to the
 * generated request types and responses to the encoder input types checks both shapes at compile time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GroupCoordinator } from '../../src/coordinator/group-coordinator.js';
import { TransactionCoordinator } from '../../src/coordinator/transaction-coordinator.js';
import { ApiKeys, decodeRequest, decodeRequestHeader, decodeResponse, encodeRequest, encodeResponse } from '../../src/protocol/index.js';
import type * as P from '../../src/protocol/index.js';

function serverSide<T>(apiKey: number, v: number, body: object): T {
  const frame = encodeRequest(apiKey, v, 7, 'wire-client', body).subarray(4);
  return decodeRequest(apiKey, v, frame, decodeRequestHeader(frame).headerLength) as T;
}

function clientSide(apiKey: number, v: number, response: object): any {
  const decoded = decodeResponse(apiKey, v, encodeResponse(apiKey, v, 7, response).subarray(4));
  expect(decoded.correlationId).toBe(7);
  return decoded.body;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const client = { clientId: 'wire-client', clientHost: '/127.0.0.1' };

const open: Array<{ close(): void }> = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

describe('group APIs on the wire', () => {
  it.each(range(0, 9))('JoinGroup, SyncGroup, Heartbeat and LeaveGroup at JoinGroup v%i', async (v) => {
    const gc = new GroupCoordinator();
    open.push(gc);
    const joinBody = (memberId: string) => ({
      groupId: 'g',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from('meta') }],
      reason: null,
    });
    const join = async (memberId: string) => {
      const req: P.JoinGroupRequest = serverSide(ApiKeys.JoinGroup, v, joinBody(memberId));
      const res: Partial<P.JoinGroupResponse> = await gc.joinGroup(req, v, client);
      return clientSide(ApiKeys.JoinGroup, v, res);
    };
    let joined = await join('');
    if (v >= 4) {
      expect(joined.errorCode).toBe(79);
      joined = await join(joined.memberId);
    }
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range', leader: joined.memberId });
    expect(joined.members.map((m: { metadata: Buffer }) => m.metadata.toString())).toEqual(['meta']);

    const syncVersion = Math.min(v, 5);
    const syncReq: P.SyncGroupRequest = serverSide(ApiKeys.SyncGroup, syncVersion, {
      groupId: 'g',
      generationId: 1,
      memberId: joined.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [{ memberId: joined.memberId, assignment: Buffer.from('mine') }],
    });
    const syncRes: Partial<P.SyncGroupResponse> = await gc.syncGroup(syncReq, syncVersion);
    const synced = clientSide(ApiKeys.SyncGroup, syncVersion, syncRes);
    expect([synced.errorCode, synced.assignment.toString()]).toEqual([0, 'mine']);

    const hbVersion = Math.min(v, 4);
    const hbReq: P.HeartbeatRequest = serverSide(ApiKeys.Heartbeat, hbVersion, { groupId: 'g', generationId: 1, memberId: joined.memberId, groupInstanceId: null });
    const hbRes: Partial<P.HeartbeatResponse> = gc.heartbeat(hbReq, hbVersion);
    expect(clientSide(ApiKeys.Heartbeat, hbVersion, hbRes).errorCode).toBe(0);

    const leaveVersion = Math.min(v, 5);
    const leaveReq: P.LeaveGroupRequest = serverSide(ApiKeys.LeaveGroup, leaveVersion, {
      groupId: 'g',
      memberId: joined.memberId,
      members: [{ memberId: joined.memberId, groupInstanceId: null, reason: null }],
    });
    const leaveRes: Partial<P.LeaveGroupResponse> = gc.leaveGroup(leaveReq, leaveVersion);
    const left = clientSide(ApiKeys.LeaveGroup, leaveVersion, leaveRes);
    expect(left.errorCode).toBe(0);
    if (leaveVersion >= 3) expect(left.members).toEqual([{ memberId: joined.memberId, groupInstanceId: null, errorCode: 0 }]);
    expect(gc.groupState('g')).toBe('Empty');
  });

  it.each(range(0, 9))('OffsetCommit and OffsetFetch v%i', (v) => {
    const gc = new GroupCoordinator();
    open.push(gc);
    const commitReq: P.OffsetCommitRequest = serverSide(ApiKeys.OffsetCommit, v, {
      groupId: 'g',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 42, committedLeaderEpoch: 3, commitTimestamp: -1, committedMetadata: 'md' }] }],
    });
    const commitRes: Partial<P.OffsetCommitResponse> = gc.offsetCommit(commitReq, v);
    expect(clientSide(ApiKeys.OffsetCommit, v, commitRes).topics).toEqual([{ name: 't', partitions: [{ partitionIndex: 1, errorCode: 0 }] }]);

    const topics = [{ name: 't', partitionIndexes: [1, 2] }];
    const fetchReq: P.OffsetFetchRequest = serverSide(ApiKeys.OffsetFetch, v, { groupId: 'g', topics, groups: [{ groupId: 'g', memberId: null, memberEpoch: -1, topics }], requireStable: false });
    const fetchRes: Partial<P.OffsetFetchResponse> = gc.offsetFetch(fetchReq, v);
    const fetched = clientSide(ApiKeys.OffsetFetch, v, fetchRes);
    const partitions = v >= 8 ? fetched.groups[0].topics[0].partitions : fetched.topics[0].partitions;
    expect(partitions.map((p: { committedOffset: number; metadata: string | null }) => [p.committedOffset, p.metadata])).toEqual([
      [42, 'md'],
      [-1, ''],
    ]);
    const epoch = partitions[0].committedLeaderEpoch;
    expect(epoch).toBe(v >= 6 ? 3 : -1); // stored from v6 commits, reported from v5 fetches
  });

  it.each(range(0, 5))('ListGroups and DescribeGroups v%i; DeleteGroups up to v2', (v) => {
    const gc = new GroupCoordinator();
    open.push(gc);
    gc.offsetCommit({ groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }] }, 0);
    const listReq: P.ListGroupsRequest = serverSide(ApiKeys.ListGroups, v, { statesFilter: [], typesFilter: [] });
    const listRes: Partial<P.ListGroupsResponse> = gc.listGroups(listReq, v);
    expect(clientSide(ApiKeys.ListGroups, v, listRes).groups.map((g: { groupId: string }) => g.groupId)).toEqual(['g']);

    const describeReq: P.DescribeGroupsRequest = serverSide(ApiKeys.DescribeGroups, v, { groups: ['g', 'none'], includeAuthorizedOperations: true });
    const describeRes: Partial<P.DescribeGroupsResponse> = gc.describeGroups(describeReq, v);
    const described = clientSide(ApiKeys.DescribeGroups, v, describeRes);
    expect(described.groups.map((g: { groupState: string; errorCode: number }) => [g.groupState, g.errorCode])).toEqual([
      ['Empty', 0],
      ['Dead', 0],
    ]);

    const deleteVersion = Math.min(v, 2);
    const deleteReq: P.DeleteGroupsRequest = serverSide(ApiKeys.DeleteGroups, deleteVersion, { groupsNames: ['g', 'none'] });
    const deleteRes: Partial<P.DeleteGroupsResponse> = gc.deleteGroups(deleteReq, deleteVersion);
    expect(clientSide(ApiKeys.DeleteGroups, deleteVersion, deleteRes).results).toEqual([
      { groupId: 'g', errorCode: 0 },
      { groupId: 'none', errorCode: 69 },
    ]);
  });
});

describe('transaction APIs on the wire', () => {
  it.each(range(0, 5))('InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit and EndTxn at v%i', (v) => {
    const markers: string[] = [];
    const gc = new GroupCoordinator();
    const tc = new TransactionCoordinator({
      partitionExists: () => true,
      writeTxnMarker: (topic, partition, _pid, epoch, commit) => markers.push(`${topic}-${partition}@${epoch}:${commit}`),
      completeTxnOffsets: (groupId, producerId, commit) => gc.completeTxnOffsets(groupId, producerId, commit),
    });
    open.push(gc, tc);

    const initReq: P.InitProducerIdRequest = serverSide(ApiKeys.InitProducerId, v, { transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
    const initRes: Partial<P.InitProducerIdResponse> = tc.initProducerId(initReq, v);
    const { producerId, producerEpoch, errorCode } = clientSide(ApiKeys.InitProducerId, v, initRes);
    expect([errorCode, producerEpoch]).toEqual([0, 0]);

    const topics = [{ name: 't', partitions: [0, 1] }];
    const addReq: P.AddPartitionsToTxnRequest = serverSide(ApiKeys.AddPartitionsToTxn, v, {
      v3AndBelowTransactionalId: 'tx',
      v3AndBelowProducerId: producerId,
      v3AndBelowProducerEpoch: producerEpoch,
      v3AndBelowTopics: topics,
      transactions: [{ transactionalId: 'tx', producerId, producerEpoch, verifyOnly: false, topics }],
    });
    const addRes: Partial<P.AddPartitionsToTxnResponse> = tc.addPartitionsToTxn(addReq, v);
    const added = clientSide(ApiKeys.AddPartitionsToTxn, v, addRes);
    const results = v >= 4 ? added.resultsByTransaction[0].topicResults : added.resultsByTopicV3AndBelow;
    expect(results[0].resultsByPartition.map((p: { partitionErrorCode: number }) => p.partitionErrorCode)).toEqual([0, 0]);

    const offsetsVersion = Math.min(v, 4);
    const addOffsetsReq: P.AddOffsetsToTxnRequest = serverSide(ApiKeys.AddOffsetsToTxn, offsetsVersion, { transactionalId: 'tx', producerId, producerEpoch, groupId: 'g' });
    const addOffsetsRes: Partial<P.AddOffsetsToTxnResponse> = tc.addOffsetsToTxn(addOffsetsReq, offsetsVersion);
    expect(clientSide(ApiKeys.AddOffsetsToTxn, offsetsVersion, addOffsetsRes).errorCode).toBe(0);

    const txnCommitVersion = Math.min(v, 4);
    const txnCommitReq: P.TxnOffsetCommitRequest = serverSide(ApiKeys.TxnOffsetCommit, txnCommitVersion, {
      transactionalId: 'tx',
      groupId: 'g',
      producerId,
      producerEpoch,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 11, committedLeaderEpoch: -1, committedMetadata: null }] }],
    });
    expect(tc.txnOffsetCommitAllowed(txnCommitReq.transactionalId, txnCommitReq.producerId, txnCommitReq.producerEpoch, txnCommitReq.groupId)).toBe(0);
    const txnCommitRes: Partial<P.TxnOffsetCommitResponse> = gc.txnOffsetCommit(txnCommitReq, txnCommitVersion, txnCommitReq.producerId);
    expect(clientSide(ApiKeys.TxnOffsetCommit, txnCommitVersion, txnCommitRes).topics[0].partitions[0].errorCode).toBe(0);

    const endReq: P.EndTxnRequest = serverSide(ApiKeys.EndTxn, v, { transactionalId: 'tx', producerId, producerEpoch, committed: true });
    const endRes: Partial<P.EndTxnResponse> = tc.endTxn(endReq, v);
    const ended = clientSide(ApiKeys.EndTxn, v, endRes);
    expect(ended.errorCode).toBe(0);
    if (v >= 5) expect([ended.producerId, ended.producerEpoch]).toEqual([producerId, producerEpoch]);
    expect(markers).toEqual(['t-0@0:true', 't-1@0:true']);
    expect(gc.committedOffset('g', 't', 0)).toBe(11);
  });
});
