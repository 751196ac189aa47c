import { describe, expect, it } from 'vitest';
import { PartitionLog } from '../../src/log/partition-log.js';
import { ProducerStateTable, lastSequence } from '../../src/log/producer-state.js';
import { batch } from './helpers.js';

const PID = 1000;

describe('PartitionLog idempotent producers', () => {
  it('accepts consecutive sequences and answers a retry of a recent batch with its original offset', () => {
    const log = PartitionLog.inMemory('t', 0);
    expect(log.append(batch({ producerId: PID, producerEpoch: 0, baseSequence: 0, count: 3 }), 0)).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(log.append(batch({ producerId: PID, producerEpoch: 0, baseSequence: 3, count: 2 }), 0)).toMatchObject({ errorCode: 0, baseOffset: 3 });
    const retry = log.append(batch({ producerId: PID, producerEpoch: 0, baseSequence: 0, count: 3 }), 0);
    expect(retry).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(log.highWatermark()).toBe(5);
    expect(log.producerState(PID)).toMatchObject({ epoch: 0, lastSeq: 4 });
  });

  it('remembers only the last five batches', () => {
    const log = PartitionLog.inMemory('t', 0);
    for (let seq = 0; seq < 6; seq++) log.append(batch({ producerId: PID, producerEpoch: 0, baseSequence: seq }), 0);
    expect(log.append(batch({ producerId: PID, producerEpoch: 0, baseSequence: 1 }), 0)).toMatchObject({ errorCode: 0, baseOffset: 1 });
    expect(log.append(batch({ producerId: PID, producerEpoch: 0, baseSequence: 0 }), 0).errorCode).toBe(45);
    expect(log.highWatermark()).toBe(6);
  });

  it('rejects gaps and a first batch that does not start at 0 with 45', () => {
    const log = PartitionLog.inMemory('t', 0);
    expect(log.append(batch({ producerId: PID, producerEpoch: 0, baseSequence: 5 }), 0)).toMatchObject({ errorCode: 45, baseOffset: -1 });
    log.append(batch({ producerId: PID, producerEpoch: 0, baseSequence: 0, count: 2 }), 0);
    expect(log.append(batch({ producerId: PID, producerEpoch: 0, baseSequence: 3 }), 0).errorCode).toBe(45);
    expect(log.append(batch({ producerId: PID, producerEpoch: 0, baseSequence: 1 }), 0).errorCode).toBe(45);
    expect(log.highWatermark()).toBe(2);
  });

  it('fences lower epochs with 47 and requires a new epoch to start at 0', () => {
    const log = PartitionLog.inMemory('t', 0);
    log.append(batch({ producerId: PID, producerEpoch: 1, baseSequence: 0 }), 0);
    expect(log.append(batch({ producerId: PID, producerEpoch: 0, baseSequence: 1 }), 0).errorCode).toBe(47);
    expect(log.append(batch({ producerId: PID, producerEpoch: 2, baseSequence: 1 }), 0).errorCode).toBe(45);
    expect(log.append(batch({ producerId: PID, producerEpoch: 2, baseSequence: 0 }), 0)).toMatchObject({ errorCode: 0, baseOffset: 1 });
    expect(log.append(batch({ producerId: PID, producerEpoch: 1, baseSequence: 1 }), 0).errorCode).toBe(47);
  });

  it('wraps sequences after int32 max to 0', () => {
    const MAX = 0x7fffffff;
    expect(lastSequence(MAX - 1, 2)).toBe(0);
    expect(lastSequence(MAX - 1, 1)).toBe(MAX);
    const table = new ProducerStateTable();
    table.recordAppend(PID, 0, MAX - 1, MAX, 10);
    expect(table.check(PID, 0, 0, 4)).toBeNull();
    expect(table.check(PID, 0, MAX - 1, MAX)).toEqual({ errorCode: 0, duplicateOf: 10 });
    table.recordAppend(PID, 0, 0, lastSequence(0, 4), 12);
    expect(table.check(PID, 0, 5, 5)).toBeNull();
    expect(table.check(PID, 0, 6, 6)).toEqual({ errorCode: 45, duplicateOf: -1 });
  });

  it('keeps non-idempotent batches free of checks', () => {
    const log = PartitionLog.inMemory('t', 0);
    log.append(batch(), 0);
    log.append(batch(), 0);
    expect(log.highWatermark()).toBe(2);
    expect(log.producerState(-1)).toBeUndefined();
  });

  it('continues sequences across transactions; a higher-epoch marker resets them', () => {
    const log = PartitionLog.inMemory('t', 0);
    log.append(batch({ producerId: PID, producerEpoch: 0, baseSequence: 0, transactional: true }), 0);
    log.appendTxnMarker(PID, 0, true, 0, 0);
    expect(log.append(batch({ producerId: PID, producerEpoch: 0, baseSequence: 1, transactional: true }), 0).errorCode).toBe(0);
    log.appendTxnMarker(PID, 0, false, 0, 0);
    expect(log.append(batch({ producerId: PID, producerEpoch: 0, baseSequence: 2, transactional: true }), 0).errorCode).toBe(0);
    log.appendTxnMarker(PID, 1, false, 0, 0);
    expect(log.append(batch({ producerId: PID, producerEpoch: 0, baseSequence: 3, transactional: true }), 0).errorCode).toBe(47);
    expect(log.append(batch({ producerId: PID, producerEpoch: 1, baseSequence: 0, transactional: true }), 0).errorCode).toBe(0);
  });
});
