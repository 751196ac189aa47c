import { describe, expect, it } from 'vitest';
import { PartitionLog } from '../../src/log/partition-log.js';
import { batch, splitBatches } from './helpers.js';

describe('PartitionLog offsetForTimestamp', () => {
  it('finds the first record at or after a timestamp', () => {
    const log = PartitionLog.inMemory('t', 0);
    log.append(batch({ count: 3, timestampMs: 1000, timestampStep: 10 }), 0); // 0..2 at 1000,1010,1020
    log.append(batch({ count: 3, timestampMs: 2000, timestampStep: 10 }), 0); // 3..5 at 2000..2020
    expect(log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: 1000 });
    expect(log.offsetForTimestamp(1005)).toEqual({ offset: 1, timestamp: 1010 });
    expect(log.offsetForTimestamp(1021)).toEqual({ offset: 3, timestamp: 2000 });
    expect(log.offsetForTimestamp(2020)).toEqual({ offset: 5, timestamp: 2020 });
    expect(log.offsetForTimestamp(2021)).toBeNull();
    expect(log.offsetForTimestamp(-1)).toEqual({ offset: 6, timestamp: -1 });
    expect(log.offsetForTimestamp(-2)).toEqual({ offset: 0, timestamp: -1 });
  });

  it('handles out-of-order batch timestamps and respects the log start offset', () => {
    const log = PartitionLog.inMemory('t', 0);
    log.append(batch({ count: 2, timestampMs: 5000 }), 0); // 0-1
    log.append(batch({ count: 2, timestampMs: 1000 }), 0); // 2-3
    log.append(batch({ count: 2, timestampMs: 3000 }), 0); // 4-5
    expect(log.offsetForTimestamp(2000)?.offset).toBe(0);
    log.deleteRecordsBefore(1);
    expect(log.offsetForTimestamp(2000)?.offset).toBe(1);
    log.deleteRecordsBefore(2);
    expect(log.offsetForTimestamp(2000)).toEqual({ offset: 4, timestamp: 3000 });
  });

  it('answers compressed batches at batch granularity', () => {
    const log = PartitionLog.inMemory('t', 0);
    const gz = batch({ count: 3, timestampMs: 1000, timestampStep: 10 });
    gz.bytes.writeInt16BE(1, 21); // claims gzip: records are not walked
    log.append(gz, 0);
    expect(log.offsetForTimestamp(1015)).toEqual({ offset: 0, timestamp: 1020 });
  });
});

describe('PartitionLog deleteRecordsBefore', () => {
  it('moves the log start offset and drops whole batches below it', () => {
    const log = PartitionLog.inMemory('t', 0);
    for (let i = 0; i < 3; i++) log.append(batch({ count: 2 }), 0);
    const size = log.sizeBytes();
    expect(log.deleteRecordsBefore(3)).toBe(0);
    expect(log.logStartOffset()).toBe(3);
    expect(log.sizeBytes()).toBe((size / 3) * 2);
    expect(splitBatches(log.read(3, 1 << 20, 0).records).map((b) => b.baseOffset)).toEqual([2, 4]);
    expect(log.deleteRecordsBefore(1)).toBe(0);
    expect(log.logStartOffset()).toBe(3);
    expect(log.deleteRecordsBefore(7)).toBe(1);
    expect(log.deleteRecordsBefore(-1)).toBe(0);
    expect(log.logStartOffset()).toBe(6);
    expect(log.sizeBytes()).toBe(0);
    expect(log.append(batch(), 0)).toMatchObject({ baseOffset: 6, logStartOffset: 6 });
  });

  it('forgets aborted ranges wholly below the log start', () => {
    const log = PartitionLog.inMemory('t', 0);
    log.append(batch({ producerId: 1, producerEpoch: 0, baseSequence: 0, transactional: true }), 0);
    log.appendTxnMarker(1, 0, false, 0, 0);
    log.append(batch(), 0);
    log.deleteRecordsBefore(1);
    expect(log.abortedRanges()).toHaveLength(1);
    log.deleteRecordsBefore(2);
    expect(log.abortedRanges()).toEqual([]);
  });
});

describe('PartitionLog enforceRetention', () => {
  it('drops the oldest batches while over the byte limit, never the newest', () => {
    const log = PartitionLog.inMemory('t', 0);
    for (let i = 0; i < 5; i++) log.append(batch({ count: 2, valueSize: 100 }), 0);
    const one = log.sizeBytes() / 5;
    log.enforceRetention(0, -1, one * 3);
    expect(log.sizeBytes()).toBe(one * 3);
    expect(log.logStartOffset()).toBe(4);
    log.enforceRetention(0, -1, 0);
    expect(log.sizeBytes()).toBe(one);
    expect(log.logStartOffset()).toBe(8);
    expect(log.highWatermark()).toBe(10);
    log.enforceRetention(0, -1, -1);
    expect(log.logStartOffset()).toBe(8);
  });

  it('drops batches older than the retention time, stopping at the first young one', () => {
    const log = PartitionLog.inMemory('t', 0);
    log.append(batch({ timestampMs: 1000 }), 0);
    log.append(batch({ timestampMs: 2000 }), 0);
    log.append(batch({ timestampMs: 9000 }), 0);
    log.append(batch({ timestampMs: 1500 }), 0);
    log.append(batch({ timestampMs: 9500 }), 0);
    log.enforceRetention(10_000, 5_000, -1);
    expect(log.logStartOffset()).toBe(2);
    log.enforceRetention(100_000, -1, -1);
    expect(log.logStartOffset()).toBe(2);
    log.enforceRetention(100_000, 5_000, -1);
    expect(log.logStartOffset()).toBe(4);
  });
});
