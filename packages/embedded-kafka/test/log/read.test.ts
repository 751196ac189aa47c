import { describe, expect, it } from 'vitest';
import { PartitionLog } from '../../src/log/partition-log.js';
import { crc32c } from '../../src/log/index.js';
import { batch, splitBatches } from './helpers.js';

function logWith(counts: number[], valueSize = 10): PartitionLog {
  const log = PartitionLog.inMemory('t', 0);
  for (const count of counts) log.append(batch({ count, valueSize }), 0);
  return log;
}

describe('PartitionLog append/read', () => {
  it('assigns consecutive offsets and patches baseOffset into the stored bytes', () => {
    const log = PartitionLog.inMemory('t', 0);
    const results = [3, 1, 5].map((count) => log.append(batch({ count }), 0));
    expect(results.map((r) => r.baseOffset)).toEqual([0, 3, 4]);
    expect(results.every((r) => r.errorCode === 0 && r.logAppendTimeMs === -1 && r.logStartOffset === 0)).toBe(true);
    expect(log.highWatermark()).toBe(9);
    expect(log.lastStableOffset()).toBe(9);
    const read = log.read(0, 1 << 20, 0);
    const batches = splitBatches(read.records);
    expect(batches.map((b) => [b.baseOffset, b.lastOffset])).toEqual([[0, 2], [3, 3], [4, 8]]);
    // baseOffset is outside the CRC: the stored batch still checks.
    for (const b of batches) expect(b.bytes.readUInt32BE(17)).toBe(crc32c(b.bytes, 21));
    expect(read).toMatchObject({ errorCode: 0, highWatermark: 9, lastStableOffset: 9, logStartOffset: 0, nextOffset: 9, abortedTransactions: null });
  });

  it('fetching from the middle of a batch returns the containing batch', () => {
    const log = logWith([3, 4, 2]);
    expect(splitBatches(log.read(5, 1 << 20, 0).records).map((b) => b.baseOffset)).toEqual([3, 7]);
    expect(splitBatches(log.read(8, 1 << 20, 0).records).map((b) => b.baseOffset)).toEqual([7]);
    expect(log.read(5, 0, 0).nextOffset).toBe(7);
  });

  it('returns at least one batch even above maxBytes, then only whole batches that fit', () => {
    const log = logWith([1, 1, 1, 1], 1000);
    const one = log.read(0, 0, 0);
    expect(splitBatches(one.records).length).toBe(1);
    const size = one.records!.length;
    expect(splitBatches(log.read(0, size * 2, 0).records).length).toBe(2);
    expect(splitBatches(log.read(0, size * 3 - 1, 0).records).length).toBe(2);
    expect(splitBatches(log.read(1, 1 << 20, 0).records).length).toBe(3);
  });

  it('returns the stored buffer itself for a single batch (no copy)', () => {
    const log = PartitionLog.inMemory('t', 0);
    const b = batch({ count: 2 });
    log.append(b, 0);
    expect(log.read(0, 0, 0).records).toBe(b.bytes);
  });

  it('is empty at the high watermark and out of range outside [logStart, HW]', () => {
    const log = logWith([2]);
    const atEnd = log.read(2, 1000, 0);
    expect(atEnd.errorCode).toBe(0);
    expect(atEnd.records).toEqual(Buffer.alloc(0));
    expect(atEnd.nextOffset).toBe(2);
    expect(log.read(2, 1000, 1).abortedTransactions).toEqual([]);
    const beyond = log.read(3, 1000, 0);
    expect(beyond).toMatchObject({ errorCode: 1, records: null, highWatermark: 2 });
    log.deleteRecordsBefore(1);
    expect(log.read(0, 1000, 0).errorCode).toBe(1);
    expect(log.read(1, 1000, 0).errorCode).toBe(0);
    expect(PartitionLog.inMemory('t', 1).read(0, 1000, 1)).toMatchObject({ errorCode: 0, highWatermark: 0 });
  });

  it('rejects control batches from clients and reports LogAppendTime batches', () => {
    const log = PartitionLog.inMemory('t', 0);
    const control = batch();
    control.isControl = true;
    expect(log.append(control, 0).errorCode).toBe(87);
    const logAppend = batch();
    logAppend.bytes.writeInt16BE(0x08, 21);
    expect(log.append(logAppend, 777).logAppendTimeMs).toBe(777);
    expect(log.highWatermark()).toBe(1);
  });

  it('tracks sizeBytes', () => {
    const log = PartitionLog.inMemory('t', 0);
    const a = batch({ count: 3 });
    const b = batch({ count: 2 });
    log.append(a, 0);
    log.append(b, 0);
    expect(log.sizeBytes()).toBe(a.bytes.length + b.bytes.length);
  });

  it('serves 1 MB fetches of 1 KB records cheaply', () => {
    const log = PartitionLog.inMemory('t', 0);
    const batchSize = batch({ count: 1, valueSize: 1000 }).bytes.length;
    for (let i = 0; i < 2000; i++) log.append(batch({ count: 1, valueSize: 1000 }), 0);
    const started = performance.now();
    let bytes = 0;
    for (let i = 0; i < 300; i++) {
      let offset = 0;
      while (offset < log.highWatermark()) {
        const r = log.read(offset, 1 << 20, 1);
        bytes += r.records!.length;
        offset += r.records!.length / batchSize; // one record per batch
      }
    }
    const ms = performance.now() - started;
    expect(bytes).toBe(300 * 2000 * batchSize);
    // ~600 MB in 1 MB fetches is a few hundred ms of memcpy; a per-record or quadratic path
    // would take tens of seconds. Generous bound: the CI machine is shared.
    expect(ms).toBeLessThan(4000);
  });
});
