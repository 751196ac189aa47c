import { describe, expect, it } from 'vitest';
import { PartitionLog } from '../../src/log/partition-log.js';
import { batch } from './helpers.js';

describe('PartitionLog.waitForData', () => {
  it('resolves at once when data is already readable or the offset is out of range', async () => {
    const log = PartitionLog.inMemory('t', 0);
    log.append(batch(), 0);
    await log.waitForData(0, 60_000);
    await log.waitForData(5, 60_000);
    expect(log.pendingWaiters()).toBe(0);
  });

  it('wakes on append', async () => {
    const log = PartitionLog.inMemory('t', 0);
    const started = Date.now();
    const waiting = log.waitForData(0, 30_000);
    expect(log.pendingWaiters()).toBe(1);
    setTimeout(() => log.append(batch(), 0), 20);
    await waiting;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(log.pendingWaiters()).toBe(0);
  });

  it('times out without data', async () => {
    const log = PartitionLog.inMemory('t', 0);
    const started = Date.now();
    await log.waitForData(0, 50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(log.pendingWaiters()).toBe(0);
  });

  it('for read_committed waits for the LSO, not the high watermark', async () => {
    const log = PartitionLog.inMemory('t', 0);
    log.append(batch({ producerId: 1, producerEpoch: 0, baseSequence: 0, transactional: true }), 0);
    let woke = false;
    const waiting = log.waitForData(0, 30_000, undefined, 1).then(() => {
      woke = true;
    });
    log.append(batch(), 0);
    await new Promise((r) => setTimeout(r, 10));
    expect(woke).toBe(false);
    log.appendTxnMarker(1, 0, true, 0, 0);
    await waiting;
    expect(woke).toBe(true);
  });

  it('cleans up on abort: thousands of aborted waits leave nothing behind', async () => {
    const log = PartitionLog.inMemory('t', 0);
    const controllers = Array.from({ length: 5000 }, () => new AbortController());
    const waits = controllers.map((c) => log.waitForData(0, 60_000, c.signal));
    expect(log.pendingWaiters()).toBe(5000);
    for (const c of controllers) c.abort();
    await Promise.all(waits);
    expect(log.pendingWaiters()).toBe(0);
    await log.waitForData(0, 60_000, AbortSignal.abort());
    expect(log.pendingWaiters()).toBe(0);
  });

  it('close wakes every waiter', async () => {
    const log = PartitionLog.inMemory('t', 0);
    const waiting = Promise.all([log.waitForData(0, 60_000), log.waitForData(0, 60_000)]);
    await log.close();
    await waiting;
    expect(log.pendingWaiters()).toBe(0);
    expect(() => log.append(batch(), 0)).toThrow(/closed/);
  });
});
