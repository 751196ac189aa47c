import { afterEach, describe, expect, it } from 'vitest';
import { TransactionCoordinator, type TransactionCoordinatorOptions, type TxnSnapshot } from '../../src/coordinator/transaction-coordinator.js';
import type { TxnClusterAccess } from '../../src/coordinator/types.js';
import { sleep } from './group-helpers.js';

/** A cluster with topics "t" (3 partitions) and "u" (1) that records markers and offset completions. */
class FakeCluster implements TxnClusterAccess {
  readonly markers: string[] = [];
  readonly offsetCompletions: string[] = [];
  partitionExists(topic: string, partition: number): boolean {
    return (topic === 't' && partition < 3) || (topic === 'u' && partition === 0);
  }
  writeTxnMarker(topic: string, partition: number, producerId: number, producerEpoch: number, commit: boolean): void {
    this.markers.push(`${topic}-${partition} pid=${producerId} epoch=${producerEpoch} ${commit ? 'COMMIT' : 'ABORT'}`);
  }
  completeTxnOffsets(groupId: string, producerId: number, commit: boolean): void {
    this.offsetCompletions.push(`${groupId} pid=${producerId} ${commit ? 'COMMIT' : 'ABORT'}`);
  }
}

const open: TransactionCoordinator[] = [];
let clock = 0;
function setup(opts: TransactionCoordinatorOptions = {}): { tc: TransactionCoordinator; cluster: FakeCluster } {
  const cluster = new FakeCluster();
  const tc = new TransactionCoordinator(cluster, { now: () => clock, ...opts });
  open.push(tc);
  return { tc, cluster };
}

afterEach(() => {
  for (const tc of open.splice(0)) tc.close();
});

function init(tc: TransactionCoordinator, transactionalId: string | null, timeoutMs = 60_000, v = 1) {
  return tc.initProducerId({ transactionalId, transactionTimeoutMs: timeoutMs, producerId: -1, producerEpoch: -1 }, v);
}

function addPartitions(tc: TransactionCoordinator, id: string, pid: number, epoch: number, topics: Record<string, number[]>, v = 1) {
  const r = tc.addPartitionsToTxn(
    {
      v3AndBelowTransactionalId: id,
      v3AndBelowProducerId: pid,
      v3AndBelowProducerEpoch: epoch,
      v3AndBelowTopics: Object.entries(topics).map(([name, partitions]) => ({ name, partitions })),
    },
    v,
  );
  return r.resultsByTopicV3AndBelow!.flatMap((t) => t.resultsByPartition.map((p) => `${t.name}-${p.partitionIndex}:${p.partitionErrorCode}`));
}

const end = (tc: TransactionCoordinator, id: string, pid: number, epoch: number, committed: boolean, v = 1) =>
  tc.endTxn({ transactionalId: id, producerId: pid, producerEpoch: epoch, committed }, v).errorCode;

describe('TransactionCoordinator', () => {
  it('hands out fresh producer ids to idempotent producers and stable ids with bumped epochs to transactional ones', () => {
    const { tc } = setup();
    const p1 = init(tc, null);
    const p2 = init(tc, null);
    expect([p1.errorCode, p1.producerEpoch, p2.producerEpoch]).toEqual([0, 0, 0]);
    expect(p2.producerId).toBe(p1.producerId + 1);

    const t1 = init(tc, 'tx');
    const t2 = init(tc, 'tx');
    expect(t2.producerId).toBe(t1.producerId);
    expect([t1.producerEpoch, t2.producerEpoch]).toEqual([0, 1]);
    expect(init(tc, 'other').producerId).not.toBe(t1.producerId);
    expect(tc.describe('tx')).toEqual({ state: 'Empty', producerId: t1.producerId, producerEpoch: 1, partitions: [] });
  });

  it('validates the transaction timeout and transactional id', () => {
    const { tc } = setup({ maxTransactionTimeoutMs: 1000 });
    expect(init(tc, 'tx', 1001).errorCode).toBe(50); // INVALID_TRANSACTION_TIMEOUT
    expect(init(tc, 'tx', 0).errorCode).toBe(50);
    expect(init(tc, '', 100).errorCode).toBe(42);
    expect(init(tc, 'tx', 1000).errorCode).toBe(0);
  });

  it('commits: markers to exactly the partitions of the transaction, then the groups\' staged offsets', () => {
    const { tc, cluster } = setup();
    const { producerId: pid, producerEpoch: epoch } = init(tc, 'tx');
    expect(addPartitions(tc, 'tx', pid, epoch, { t: [0, 2] })).toEqual(['t-0:0', 't-2:0']);
    expect(addPartitions(tc, 'tx', pid, epoch, { t: [2], u: [0] })).toEqual(['t-2:0', 'u-0:0']); // t-2 again: no duplicate
    expect(tc.addOffsetsToTxn({ transactionalId: 'tx', producerId: pid, producerEpoch: epoch, groupId: 'g' }, 1).errorCode).toBe(0);
    expect(tc.txnOffsetCommitAllowed('tx', pid, epoch, 'g')).toBe(0);
    expect(tc.txnOffsetCommitAllowed('tx', pid, epoch, 'other-group')).toBe(48);
    expect(tc.describe('tx')!.state).toBe('Ongoing');
    expect(tc.describe('tx')!.partitions).toEqual([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 2 },
      { topic: 'u', partition: 0 },
    ]);

    expect(end(tc, 'tx', pid, epoch, true)).toBe(0);
    expect(cluster.markers).toEqual([`t-0 pid=${pid} epoch=0 COMMIT`, `t-2 pid=${pid} epoch=0 COMMIT`, `u-0 pid=${pid} epoch=0 COMMIT`]);
    expect(cluster.offsetCompletions).toEqual([`g pid=${pid} COMMIT`]);
    expect(tc.describe('tx')).toMatchObject({ state: 'CompleteCommit', partitions: [] });
    expect(tc.txnOffsetCommitAllowed('tx', pid, epoch, 'g')).toBe(48);

    // The next transaction reuses producer id and epoch (as KafkaJS does) and only marks its own partitions.
    cluster.markers.length = 0;
    addPartitions(tc, 'tx', pid, epoch, { t: [1] });
    expect(end(tc, 'tx', pid, epoch, false)).toBe(0);
    expect(cluster.markers).toEqual([`t-1 pid=${pid} epoch=0 ABORT`]);
    expect(cluster.offsetCompletions).toEqual([`g pid=${pid} COMMIT`]); // the group was not part of this one
  });

  it('aborts: markers and dropped offsets', () => {
    const { tc, cluster } = setup();
    const { producerId: pid } = init(tc, 'tx');
    addPartitions(tc, 'tx', pid, 0, { u: [0] });
    tc.addOffsetsToTxn({ transactionalId: 'tx', producerId: pid, producerEpoch: 0, groupId: 'g' }, 0);
    expect(end(tc, 'tx', pid, 0, false)).toBe(0);
    expect(cluster.markers).toEqual([`u-0 pid=${pid} epoch=0 ABORT`]);
    expect(cluster.offsetCompletions).toEqual([`g pid=${pid} ABORT`]);
    expect(tc.describe('tx')!.state).toBe('CompleteAbort');
  });

  it('answers retries of a completed EndTxn with success and the opposite outcome with INVALID_TXN_STATE', () => {
    const { tc, cluster } = setup();
    const { producerId: pid } = init(tc, 'tx');
    expect(end(tc, 'tx', pid, 0, true)).toBe(48); // nothing open yet
    addPartitions(tc, 'tx', pid, 0, { t: [0] });
    expect(end(tc, 'tx', pid, 0, true)).toBe(0);
    expect(end(tc, 'tx', pid, 0, true)).toBe(0); // idempotent recommit
    expect(end(tc, 'tx', pid, 0, false)).toBe(48);
    expect(cluster.markers).toHaveLength(1);
    addPartitions(tc, 'tx', pid, 0, { t: [0] });
    expect(end(tc, 'tx', pid, 0, false)).toBe(0);
    expect(end(tc, 'tx', pid, 0, false)).toBe(0);
    expect(end(tc, 'tx', pid, 0, true)).toBe(48);
  });

  it('aborts an open transaction on InitProducerId with the bumped epoch and fences the old producer', () => {
    const { tc, cluster } = setup();
    const { producerId: pid } = init(tc, 'tx');
    addPartitions(tc, 'tx', pid, 0, { t: [1], u: [0] });
    tc.addOffsetsToTxn({ transactionalId: 'tx', producerId: pid, producerEpoch: 0, groupId: 'g' }, 1);

    const again = init(tc, 'tx');
    expect([again.errorCode, again.producerId, again.producerEpoch]).toEqual([0, pid, 1]);
    expect(cluster.markers).toEqual([`t-1 pid=${pid} epoch=1 ABORT`, `u-0 pid=${pid} epoch=1 ABORT`]);
    expect(cluster.offsetCompletions).toEqual([`g pid=${pid} ABORT`]);
    expect(tc.describe('tx')!.state).toBe('Empty');

    // The zombie (epoch 0) is fenced everywhere with 47 in the versions KafkaJS speaks, 90 in newer ones.
    expect(addPartitions(tc, 'tx', pid, 0, { t: [0] })).toEqual(['t-0:47']);
    expect(addPartitions(tc, 'tx', pid, 0, { t: [0] }, 2)).toEqual(['t-0:90']);
    expect(tc.addOffsetsToTxn({ transactionalId: 'tx', producerId: pid, producerEpoch: 0, groupId: 'g' }, 1).errorCode).toBe(47);
    expect(tc.txnOffsetCommitAllowed('tx', pid, 0, 'g')).toBe(47);
    expect(end(tc, 'tx', pid, 0, true)).toBe(47);
    expect(end(tc, 'tx', pid, 0, true, 3)).toBe(90);
    // Unknown transactional ids and producer ids.
    expect(end(tc, 'nope', pid, 1, true)).toBe(49);
    expect(end(tc, 'tx', pid + 100, 1, true)).toBe(49);
    expect(addPartitions(tc, 'nope', pid, 1, { t: [0] })).toEqual(['t-0:49']);
    expect(tc.txnOffsetCommitAllowed('nope', pid, 1, 'g')).toBe(49);
  });

  it('checks a resuming producer (InitProducerId v3+ with producer id and epoch)', () => {
    const { tc } = setup();
    const first = init(tc, 'tx');
    const resume = (producerId: number, producerEpoch: number, v: number) =>
      tc.initProducerId({ transactionalId: 'tx', transactionTimeoutMs: 1000, producerId, producerEpoch }, v);
    expect(resume(first.producerId, 5, 3).errorCode).toBe(47);
    expect(resume(first.producerId, 5, 4).errorCode).toBe(90);
    expect(resume(first.producerId, 0, 4)).toMatchObject({ errorCode: 0, producerId: first.producerId, producerEpoch: 1 });
  });

  it('answers unknown partitions with 3 and the others with 55, adding nothing', () => {
    const { tc } = setup();
    const { producerId: pid } = init(tc, 'tx');
    expect(addPartitions(tc, 'tx', pid, 0, { t: [0, 7], zzz: [0] })).toEqual(['t-0:55', 't-7:3', 'zzz-0:3']);
    expect(tc.describe('tx')).toMatchObject({ state: 'Empty', partitions: [] });
  });

  it('supports the v4+ batched AddPartitionsToTxn with verifyOnly', () => {
    const { tc } = setup();
    const { producerId: pid } = init(tc, 'tx');
    const batch = (verifyOnly: boolean) =>
      tc.addPartitionsToTxn({ transactions: [{ transactionalId: 'tx', producerId: pid, producerEpoch: 0, verifyOnly, topics: [{ name: 't', partitions: [0] }] }] }, 4);
    const codes = (r: ReturnType<typeof batch>) => r.resultsByTransaction![0]!.topicResults[0]!.resultsByPartition.map((p) => p.partitionErrorCode);
    expect(codes(batch(true))).toEqual([48]);
    const added = batch(false);
    expect([added.errorCode, codes(added)]).toEqual([0, [0]]);
    expect(codes(batch(true))).toEqual([0]);
  });

  it('aborts a transaction that outlives its timeout, fencing the producer', async () => {
    const { tc, cluster } = setup({ abortCheckIntervalMs: 10 });
    let changes = 0;
    tc.onChange(() => changes++);
    const { producerId: pid } = init(tc, 'tx', 1000);
    addPartitions(tc, 'tx', pid, 0, { t: [2] });
    tc.addOffsetsToTxn({ transactionalId: 'tx', producerId: pid, producerEpoch: 0, groupId: 'g' }, 1);
    await sleep(40);
    expect(tc.describe('tx')!.state).toBe('Ongoing'); // the clock has not moved
    const before = changes;
    clock += 1001;
    await sleep(40);
    expect(tc.describe('tx')).toMatchObject({ state: 'CompleteAbort', producerEpoch: 1 });
    expect(cluster.markers).toEqual([`t-2 pid=${pid} epoch=1 ABORT`]);
    expect(cluster.offsetCompletions).toEqual([`g pid=${pid} ABORT`]);
    expect(changes).toBeGreaterThan(before);
    expect(end(tc, 'tx', pid, 0, true)).toBe(47);
    expect(init(tc, 'tx')).toMatchObject({ producerId: pid, producerEpoch: 2 });
  });

  it('restores from a JSON snapshot and commits a transaction prepared before the restart with its stored id and epoch', () => {
    const first = setup();
    const { producerId: pid } = init(first.tc, 'tx');
    init(first.tc, null);
    addPartitions(first.tc, 'tx', pid, 0, { t: [0], u: [0] });
    first.tc.addOffsetsToTxn({ transactionalId: 'tx', producerId: pid, producerEpoch: 0, groupId: 'g' }, 1);
    const saved = JSON.parse(JSON.stringify(first.tc.snapshot())) as TxnSnapshot;
    first.tc.close();

    const second = setup();
    second.tc.restore(saved);
    expect(second.tc.snapshot()).toEqual(saved);
    expect(second.tc.describe('tx')).toMatchObject({ state: 'Ongoing', producerId: pid, producerEpoch: 0 });
    expect(end(second.tc, 'tx', pid, 0, true)).toBe(0);
    expect(second.cluster.markers).toEqual([`t-0 pid=${pid} epoch=0 COMMIT`, `u-0 pid=${pid} epoch=0 COMMIT`]);
    expect(second.cluster.offsetCompletions).toEqual([`g pid=${pid} COMMIT`]);
    // The producer id counter survives: new ids do not collide with restored ones.
    expect(init(second.tc, null).producerId).toBe(pid + 2);
    // A recommit after another restart is still a success.
    const third = setup();
    third.tc.restore(JSON.parse(JSON.stringify(second.tc.snapshot())) as TxnSnapshot);
    expect(end(third.tc, 'tx', pid, 0, true)).toBe(0);
    expect(third.cluster.markers).toEqual([]);
  });

  it('rejects everything with NOT_COORDINATOR after close', () => {
    const { tc } = setup();
    tc.close();
    expect(init(tc, 'tx').errorCode).toBe(16);
    expect(end(tc, 'tx', 1, 0, true)).toBe(16);
  });
});
