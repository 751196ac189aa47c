import { describe, expect, it } from 'vitest';
import { RestartStrategies, WatermarkStrategies, heapStateBackend, silentLogger, tumblingWindows, type KeyedProcessFunction } from '../../src/index.js';
import { TestDriver } from '../../src/testing/index.js';

const options = { logger: silentLogger, stateBackend: heapStateBackend() };
const count = { create: () => 0, add: (n: number) => n + 1, result: (n: number) => n };

describe('TestDriver', () => {
  it('fires event-time windows on the watermark and commits only at checkpoints', async () => {
    await using driver = new TestDriver(options);
    const clicks = driver.input<string>('clicks', { splits: ['p0', 'p1'] });
    const out = driver.output('counts', clicks.stream.keyBy((u) => u).window('per-minute', tumblingWindows(60_000), count));
    await driver.start();
    await clicks.pipe([{ value: 'ann', timestamp: 1_000 }, { value: 'bob', timestamp: 2_000 }], { split: 'p0' });
    await clicks.pipe([{ value: 'ann', timestamp: 61_000 }], { split: 'p1' });
    await clicks.advanceWatermark(59_998);
    await driver.checkpoint();
    expect(out.committed).toEqual([]);
    await clicks.advanceWatermark(59_999); // the window [0, 60 000) ends at 59 999
    expect(out.committed).toEqual([]); // emitted, not yet committed
    await driver.checkpoint();
    expect(out.committed.map((r) => [r.key, r.value])).toEqual([['ann', 1], ['bob', 1]]);
    await clicks.advanceWatermark(119_999);
    await driver.checkpoint();
    expect(out.committed.map((r) => [r.key, r.start, r.value])).toContainEqual(['ann', 60_000, 1]);
  });

  it('fires processing-time timers when the test advances time', async () => {
    await using driver = new TestDriver({ ...options, startTime: 10_000 });
    const input = driver.input<string>('in');
    const reminder: KeyedProcessFunction<string, string, string> = {
      processElement(_value, ctx) {
        ctx.timers.registerProcessingTimeTimer(ctx.timers.currentProcessingTime() + 5_000);
      },
      onTimer(at, ctx) {
        ctx.emit(`${ctx.key}@${at}`);
      },
    };
    const out = driver.output('out', input.stream.keyBy((v) => v).process('remind', () => reminder));
    await driver.start();
    await input.pipe([{ value: 'a' }]);
    await driver.advanceTime(4_999);
    await driver.checkpoint();
    expect(out.committed).toEqual([]);
    await driver.advanceTime(1);
    await driver.checkpoint();
    expect(out.committed).toEqual(['a@15000']);
  });

  it('restores exactly: a suspend continues, a crash re-reads what followed the checkpoint', async () => {
    await using driver = new TestDriver(options);
    const input = driver.input<number>('numbers');
    const total = input.stream.keyBy(() => 'all').reduce('sum', (a, b) => a + b);
    const out = driver.output('sums', total);
    await driver.start();
    await input.pipe([{ value: 1 }, { value: 2 }]);
    await driver.checkpoint();
    await input.pipe([{ value: 3 }]);
    expect((await driver.restore()).outcome).toBe('suspended');
    await input.pipe([{ value: 4 }]);
    await driver.checkpoint();
    expect(out.committed).toEqual([1, 3, 6, 10]);

    await input.pipe([{ value: 5 }]); // not checkpointed: the crash loses it downstream, the restore replays it
    expect((await driver.restore({ mode: 'cancel' })).outcome).toBe('cancelled');
    await driver.checkpoint();
    expect(out.committed).toEqual([1, 3, 6, 10, 15]);
  });

  it('surfaces a failing job instead of waiting for it', async () => {
    await using driver = new TestDriver({ ...options, errorPolicy: 'fail' });
    const input = driver.input<number>('in');
    driver.output('out', input.stream.map('explode', () => {
      throw new Error('boom');
    }));
    await driver.start();
    await expect(input.pipe([{ value: 1 }])).rejects.toThrow('boom');
  });
});

describe('TestDriver and idleness', () => {
  it('a silent split stops holding event time back once the test clock passes the idle timeout', async () => {
    await using driver = new TestDriver(options);
    const input = driver.input<{ user: string; ts: number }>('in', { splits: ['busy', 'silent'] });
    const counts = driver.output(
      'counts',
      input.stream
        .assignTimestampsAndWatermarks('event-time', WatermarkStrategies.forMonotonousTimestamps<{ user: string; ts: number }>((c) => c.ts).withIdleness(5_000))
        .keyBy((c) => c.user)
        .window('per-minute', tumblingWindows(60_000), count),
    );
    await driver.start();
    await driver.advanceTime(3_000);
    await input.pipe([{ value: { user: 'ann', ts: 1_000 } }, { value: { user: 'ann', ts: 70_000 } }], { split: 'busy' });
    await driver.advanceTime(1_000);
    await driver.checkpoint();
    expect(counts.committed).toEqual([]); // the silent split (nothing since 0) still holds the watermark at its minimum
    await driver.advanceTime(1_000); // 5 s without records: idle
    await driver.checkpoint();
    expect(counts.committed.map((w) => [w.key, w.start, w.value])).toEqual([['ann', 0, 1]]);
  });
});

describe('TestDriver and restarts', () => {
  it('waits through an in-process restart; the new attempt re-reads the input exactly once', async () => {
    let failed = false;
    await using driver = new TestDriver({ ...options, errorPolicy: 'fail', restart: RestartStrategies.fixedDelay({ maxAttempts: 1, delayMs: 0 }) });
    const input = driver.input<number>('in');
    const out = driver.output(
      'out',
      input.stream.map('flaky', (n) => {
        if (n === 2 && !failed) {
          failed = true;
          throw new Error('once');
        }
        return n;
      }),
    );
    await driver.start();
    await input.pipe([{ value: 1 }, { value: 2 }, { value: 3 }]);
    await driver.checkpoint();
    expect(out.committed).toEqual([1, 2, 3]);
    expect(driver.job.status().restarts).toBe(1);
  });
});
