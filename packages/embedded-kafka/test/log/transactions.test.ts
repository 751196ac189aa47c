import { describe, expect, it } from 'vitest';
import { PartitionLog } from '../../src/log/partition-log.js';
import { PartitionLogError } from '../../src/log/error-codes.js';
import { crc32c, readBatchInfo } from '../../src/log/index.js';
import { batch, splitBatches } from './helpers.js';

const A = 100;
const B = 200;
const txn = (producerId: number, baseSequence: number, count = 1) =>
  batch({ producerId, producerEpoch: 0, baseSequence, count, transactional: true });

describe('PartitionLog transactions', () => {
  it('holds the LSO at the first offset of an open transaction and releases it on commit', () => {
    const log = PartitionLog.inMemory('t', 0);
    log.append(batch({ count: 2 }), 0); // 0-1 plain
    log.append(txn(A, 0, 3), 0); // 2-4
    log.append(batch(), 0); // 5 plain
    expect(log.highWatermark()).toBe(6);
    expect(log.lastStableOffset()).toBe(2);
    const committed = log.read(0, 1 << 20, 1);
    expect(committed.lastStableOffset).toBe(2);
    expect(splitBatches(committed.records).map((b) => b.baseOffset)).toEqual([0]);
    expect(log.read(2, 1 << 20, 1).records).toEqual(Buffer.alloc(0));
    expect(splitBatches(log.read(0, 1 << 20, 0).records).map((b) => b.baseOffset)).toEqual([0, 2, 5]);
    const marker = log.appendTxnMarker(A, 0, true, 5, 0);
    expect(marker).toBe(6);
    expect(log.lastStableOffset()).toBe(7);
    const after = log.read(0, 1 << 20, 1);
    expect(splitBatches(after.records).map((b) => b.baseOffset)).toEqual([0, 2, 5, 6]);
    expect(after.abortedTransactions).toEqual([]);
    const control = splitBatches(after.records)[3]!.bytes;
    expect(control.readUInt32BE(17)).toBe(crc32c(control, 21));
    expect(readBatchInfo(control)).toMatchObject({ isControl: true, producerId: A, producerEpoch: 0 });
  });

  it('keeps the LSO at the oldest of several open transactions', () => {
    const log = PartitionLog.inMemory('t', 0);
    log.append(txn(A, 0), 0); // 0
    log.append(txn(B, 0), 0); // 1
    log.append(txn(A, 1), 0); // 2 (same txn of A)
    expect(log.lastStableOffset()).toBe(0);
    log.appendTxnMarker(A, 0, true, 0, 0); // 3
    expect(log.lastStableOffset()).toBe(1);
    log.appendTxnMarker(B, 0, true, 0, 0); // 4
    expect(log.lastStableOffset()).toBe(5);
    expect(log.openTransactions().size).toBe(0);
  });

  it('reports aborted transactions overlapping the fetched range, sorted by first offset', () => {
    const log = PartitionLog.inMemory('t', 0);
    log.append(txn(A, 0), 0); // 0  A1 (aborted later, after B1 opens)
    log.append(txn(B, 0), 0); // 1  B1
    log.appendTxnMarker(B, 0, false, 0, 0); // 2 abort B1 [1,2]
    log.appendTxnMarker(A, 0, false, 0, 0); // 3 abort A1 [0,3]
    log.append(batch(), 0); // 4 plain
    log.append(txn(A, 1), 0); // 5 A2
    log.appendTxnMarker(A, 0, true, 0, 0); // 6 commit
    log.append(txn(B, 1), 0); // 7 B2
    log.appendTxnMarker(B, 0, false, 0, 0); // 8 abort B2 [7,8]
    expect(log.abortedRanges()).toEqual([
      { producerId: B, firstOffset: 1, lastOffset: 2 },
      { producerId: A, firstOffset: 0, lastOffset: 3 },
      { producerId: B, firstOffset: 7, lastOffset: 8 },
    ]);
    const all = log.read(0, 1 << 20, 1);
    expect(all.abortedTransactions).toEqual([
      { producerId: A, firstOffset: 0 },
      { producerId: B, firstOffset: 1 },
      { producerId: B, firstOffset: 7 },
    ]);
    const firstOnly = log.read(0, 0, 1);
    expect(splitBatches(firstOnly.records).map((b) => b.baseOffset)).toEqual([0]);
    expect(firstOnly.abortedTransactions).toEqual([{ producerId: A, firstOffset: 0 }]);
    const middle = log.read(4, 1 << 20, 1);
    expect(middle.abortedTransactions).toEqual([{ producerId: B, firstOffset: 7 }]);
    expect(log.read(0, 1 << 20, 0).abortedTransactions).toBeNull();
    expect(log.read(9, 1 << 20, 1).abortedTransactions).toEqual([]);
  });

  it('throws 47 for a marker with a fenced epoch and writes nothing', () => {
    const log = PartitionLog.inMemory('t', 0);
    log.append(batch({ producerId: A, producerEpoch: 3, baseSequence: 0, transactional: true }), 0);
    let caught: unknown;
    try {
      log.appendTxnMarker(A, 2, false, 0, 0);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PartitionLogError);
    expect((caught as PartitionLogError).errorCode).toBe(47);
    expect(log.highWatermark()).toBe(1);
    expect(log.lastStableOffset()).toBe(0);
  });

  it('a bumped-epoch abort marker fences the old producer and closes its transaction', () => {
    const log = PartitionLog.inMemory('t', 0);
    log.append(batch({ producerId: A, producerEpoch: 3, baseSequence: 0, transactional: true }), 0);
    log.appendTxnMarker(A, 4, false, 0, 0);
    expect(log.lastStableOffset()).toBe(2);
    expect(log.producerState(A)).toMatchObject({ epoch: 4, lastSeq: -1 });
    expect(log.append(batch({ producerId: A, producerEpoch: 3, baseSequence: 1, transactional: true }), 0).errorCode).toBe(47);
  });

  it('writes a marker even without an open transaction, recording no aborted range', () => {
    const log = PartitionLog.inMemory('t', 0);
    expect(log.appendTxnMarker(A, 0, false, 0, 0)).toBe(0);
    expect(log.highWatermark()).toBe(1);
    expect(log.abortedRanges()).toEqual([]);
  });
});
