import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PartitionLog } from '../../src/log/partition-log.js';
import { batch, splitBatches } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-log-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const A = 11;
const B = 22;
const logFile = () => path.join(dir, 'orders-3', 'batches.log');

function fill(log: PartitionLog): void {
  log.append(batch({ count: 3, tag: 'plain' }), 0); // 0-2
  log.append(batch({ producerId: A, producerEpoch: 0, baseSequence: 0, count: 2 }), 0); // 3-4
  log.append(batch({ producerId: B, producerEpoch: 1, baseSequence: 0, transactional: true }), 0); // 5
  log.appendTxnMarker(B, 1, false, 4, 1); // 6 abort [5,6]
  log.append(batch({ producerId: B, producerEpoch: 1, baseSequence: 1, transactional: true }), 0); // 7 open
  log.append(batch({ producerId: A, producerEpoch: 0, baseSequence: 2, count: 1 }), 0); // 8
}

function snapshot(log: PartitionLog) {
  return {
    hw: log.highWatermark(),
    lso: log.lastStableOffset(),
    start: log.logStartOffset(),
    size: log.sizeBytes(),
    aborted: log.abortedRanges(),
    open: [...log.openTransactions()],
    producerA: log.producerState(A),
    producerB: log.producerState(B),
    uncommitted: log.read(log.logStartOffset(), 1 << 20, 0),
    committed: log.read(log.logStartOffset(), 1 << 20, 1),
  };
}

describe('PartitionLog persistence', () => {
  it('rebuilds everything from the file on re-open', async () => {
    const log = PartitionLog.open({ topic: 'orders', partition: 3, dir });
    fill(log);
    const before = snapshot(log);
    await log.close();
    const reopened = PartitionLog.open({ topic: 'orders', partition: 3, dir });
    expect(snapshot(reopened)).toEqual(before);
    expect(before).toMatchObject({ hw: 9, lso: 7, aborted: [{ producerId: B, firstOffset: 5, lastOffset: 6 }], open: [[B, 7]] });
    // Producer state survived: a retry is answered with its original offset, the sequence continues.
    expect(reopened.append(batch({ producerId: A, producerEpoch: 0, baseSequence: 0, count: 2 }), 0)).toMatchObject({ errorCode: 0, baseOffset: 3 });
    expect(reopened.append(batch({ producerId: A, producerEpoch: 0, baseSequence: 4 }), 0).errorCode).toBe(45);
    expect(reopened.append(batch({ producerId: A, producerEpoch: 0, baseSequence: 3 }), 0)).toMatchObject({ errorCode: 0, baseOffset: 9 });
    expect(reopened.appendTxnMarker(B, 1, true, 4, 2)).toBe(10);
    expect(reopened.lastStableOffset()).toBe(11);
    await reopened.close();
    const third = PartitionLog.open({ topic: 'orders', partition: 3, dir });
    expect(third.highWatermark()).toBe(11);
    expect(third.lastStableOffset()).toBe(11);
    expect(third.read(0, 1 << 20, 1).abortedTransactions).toEqual([{ producerId: B, firstOffset: 5 }]);
    await third.close();
  });

  it('keeps the log start offset from DeleteRecords and retention', async () => {
    const log = PartitionLog.open({ topic: 'orders', partition: 3, dir, fsync: true });
    fill(log);
    log.deleteRecordsBefore(4);
    await log.close();
    const reopened = PartitionLog.open({ topic: 'orders', partition: 3, dir });
    expect(reopened.logStartOffset()).toBe(4);
    expect(splitBatches(reopened.read(4, 1 << 20, 0).records)[0]!.baseOffset).toBe(3);
    expect(reopened.read(2, 1 << 20, 0).errorCode).toBe(1);
    reopened.enforceRetention(0, -1, 0);
    const start = reopened.logStartOffset();
    expect(start).toBe(8);
    await reopened.close();
    const third = PartitionLog.open({ topic: 'orders', partition: 3, dir });
    expect(third.logStartOffset()).toBe(start);
    expect(third.highWatermark()).toBe(9);
    expect(third.producerState(A)?.lastSeq).toBe(2);
    await third.close();
  });

  it('truncates a torn trailing frame and keeps appending after it', async () => {
    const log = PartitionLog.open({ topic: 'orders', partition: 3, dir });
    fill(log);
    const full = fs.statSync(logFile()).size;
    await log.close();
    fs.truncateSync(logFile(), full - 7);
    const reopened = PartitionLog.open({ topic: 'orders', partition: 3, dir });
    expect(reopened.highWatermark()).toBe(8);
    expect(reopened.producerState(A)?.lastSeq).toBe(1);
    expect(fs.statSync(logFile()).size).toBeLessThan(full - 7);
    expect(reopened.append(batch({ producerId: A, producerEpoch: 0, baseSequence: 2, tag: 'again' }), 0).baseOffset).toBe(8);
    await reopened.close();
    const third = PartitionLog.open({ topic: 'orders', partition: 3, dir });
    expect(third.highWatermark()).toBe(9);
    expect(splitBatches(third.read(8, 1 << 20, 0).records)[0]!.bytes.includes(Buffer.from('again-0'))).toBe(true);
    await third.close();
  });

  it('truncates at a frame whose checksum does not match', async () => {
    const log = PartitionLog.open({ topic: 'orders', partition: 3, dir });
    fill(log);
    await log.close();
    const bytes = fs.readFileSync(logFile());
    bytes[bytes.length - 3]! ^= 0xff;
    fs.writeFileSync(logFile(), bytes);
    const reopened = PartitionLog.open({ topic: 'orders', partition: 3, dir });
    expect(reopened.highWatermark()).toBe(8);
    await reopened.close();
  });

  it('replays a file larger than one read chunk', async () => {
    const log = PartitionLog.open({ topic: 'orders', partition: 3, dir });
    for (let i = 0; i < 40; i++) log.append(batch({ count: 1, valueSize: 300_000 }), 0);
    const before = log.read(0, 1 << 30, 0).records!;
    await log.close();
    const reopened = PartitionLog.open({ topic: 'orders', partition: 3, dir });
    expect(reopened.highWatermark()).toBe(40);
    expect(reopened.read(0, 1 << 30, 0).records!.equals(before)).toBe(true);
    await reopened.close();
  });

  it('keeps partitions apart and memory-only logs off disk', async () => {
    const a = PartitionLog.open({ topic: 'orders', partition: 0, dir });
    const b = PartitionLog.open({ topic: 'orders', partition: 1, dir });
    a.append(batch(), 0);
    await Promise.all([a.close(), b.close()]);
    expect(PartitionLog.open({ topic: 'orders', partition: 1, dir }).highWatermark()).toBe(0);
    expect(PartitionLog.open({ topic: 'orders', partition: 0, dir }).highWatermark()).toBe(1);
    const mem = PartitionLog.open({ topic: 'orders', partition: 9 });
    mem.append(batch(), 0);
    expect(fs.existsSync(path.join(dir, 'orders-9'))).toBe(false);
  });
});
