import { describe, expect, it } from 'vitest';
import {
  Pipeline,
  RestartStrategies,
  WatermarkStrategies,
  collectionSource,
  generatorSource,
  heapStateBackend,
  memorySink,
  silentLogger,
  tumblingWindows,
  type Sink,
  type WindowResult,
} from '@weir/core';
import { TestDriver } from '@weir/core/testing';
import { RestartTracker } from '../../src/runtime/restart-strategy.js';
import { tempDir } from './helpers.js';

const base = async (name: string) => ({ name, checkpoints: { dir: await tempDir(), intervalMs: 50 }, stateBackend: heapStateBackend(), logger: silentLogger });

describe('drain', () => {
  it('stops an unbounded job: every window fires and the final output is committed', async () => {
    await using driver = new TestDriver({ stateBackend: heapStateBackend(), logger: silentLogger });
    const ticks = driver.input<{ s: number; o: number }>('ticks', { splits: ['0', '1'] });
    const out = driver.output('out', ticks.stream.keyBy((r) => r.o % 5).window('per-second', tumblingWindows(1000), { create: () => 0, add: (n: number) => n + 1, result: (n) => n }));
    await driver.start();
    for (const s of [0, 1]) await ticks.pipe([...Array(250).keys()].map((o) => ({ value: { s, o }, timestamp: o * 10 })), { split: String(s) });
    await ticks.advanceWatermark(999); // the first second's windows fire before the drain
    const result = await driver.stop({ mode: 'drain' });
    expect(result.outcome).toBe('drained');
    // every record read was counted in exactly one committed window
    expect(out.committed.reduce((n, w) => n + w.value, 0)).toBe(500);
    expect(new Set(out.committed.map((w) => `${w.key}@${w.start}`)).size).toBe(out.committed.length);
    expect(out.pendingCount()).toBe(0);
  });
});

describe('stop right after start', () => {
  for (const mode of ['drain', 'cancel', 'suspend'] as const) {
    it(`a ${mode} requested before the sources run still ends the job`, async () => {
      const p = new Pipeline(await base(`early-${mode}`));
      p.source('ticks', generatorSource({ splits: 1, ratePerSecond: 1000, generate: (_s, o) => o })).sink('out', memorySink<number>());
      const job = p.start();
      const result = await job.stop({ mode });
      expect(result.outcome).toBe(mode === 'drain' ? 'drained' : mode === 'cancel' ? 'cancelled' : 'suspended');
    });
  }
});

describe('timers and savepoints', () => {
  it('restores event-time timers from a savepoint and fires them once after restore', async () => {
    await using driver = new TestDriver({ stateBackend: heapStateBackend(), logger: silentLogger });
    const events = driver.input<string>('events');
    const out = driver.output(
      'out',
      events.stream.keyBy((k) => k).process<string>('remind', () => ({
        processElement: (_k, ctx) => ctx.timers.registerEventTimeTimer(ctx.timestamp + 1_000_000),
        onTimer: (ts, ctx) => ctx.emit(`${ctx.key}@${ts}`),
      })),
    );
    await driver.start();
    await events.pipe(['k0', 'k1', 'k2'].map((value, i) => ({ value, timestamp: 1000 + i })));
    // stop with a savepoint before the timers are due, and start again from it
    expect((await driver.restore()).savepoint).toBeDefined();
    expect(out.committed).toEqual([]);
    expect(driver.job.status().restoredFrom).toMatchObject({ kind: 'savepoint' });
    // the drain's MAX watermark fires the restored timers, each once
    await driver.stop({ mode: 'drain' });
    expect([...out.committed].sort()).toEqual(['k0@1001000', 'k1@1001001', 'k2@1001002']);
  });
});

describe('restarts', () => {
  it('restarts in-process from the last checkpoint and keeps output exactly once', async () => {
    const out = memorySink<number>();
    let failed = false;
    const p = new Pipeline({ ...(await base('restart')), errorPolicy: 'fail', restart: RestartStrategies.fixedDelay({ maxAttempts: 2, delayMs: 10 }) });
    p.source('n', generatorSource({ splits: 2, recordsPerSplit: 2000, batchSize: 50, ratePerSecond: 8000, generate: (s, o) => s * 10_000 + o }))
      .map('flaky', (n) => {
        if (!failed && n === 1500) {
          failed = true;
          throw new Error('transient');
        }
        return n;
      })
      .sink('out', out);
    const result = await p.run();
    expect(result.restarts).toBe(1);
    const sorted = [...out.committed].sort((a, b) => a - b);
    const expected = [...Array(2000).keys()].flatMap((o) => [o, 10_000 + o]).sort((a, b) => a - b);
    expect(sorted).toEqual(expected);
  });

  it('aligns barriers at a union: two sources restored from one consistent checkpoint', async () => {
    const out = memorySink<string>();
    let failed = false;
    const p = new Pipeline({ ...(await base('union-restart')), errorPolicy: 'fail', restart: RestartStrategies.fixedDelay({ maxAttempts: 2, delayMs: 10 }) });
    const gen = (tag: string) => generatorSource({ splits: 1, recordsPerSplit: 1500, batchSize: 30, ratePerSecond: 5000, generate: (_s, o) => `${tag}${o}` });
    const a = p.source('a', gen('a'));
    const b = p.source('b', gen('b'));
    a.union('both', b)
      .keyBy((v) => v[0]!)
      .process<string>('tag-count', () => {
        let n: import('@weir/core').ValueState<number>;
        return {
          open: (ctx) => void (n = ctx.state.valueState<number>('n')),
          processElement: (v, ctx) => {
            if (!failed && v === 'b1000') {
              failed = true;
              throw new Error('transient');
            }
            const next = (n.value() ?? 0) + 1;
            n.update(next);
            ctx.emit(`${v}#${next}`);
          },
        };
      })
      .sink('out', out);
    const result = await p.run();
    expect(result.restarts).toBe(1);
    const values = out.committed.map((s) => s.split('#')[0]!);
    expect(new Set(values).size).toBe(3000);
    expect(values.length).toBe(3000);
    // keyed counts restored consistently with the source positions: each tag counts 1..1500 once
    for (const tag of ['a', 'b']) {
      const counts = out.committed.filter((s) => s.startsWith(tag)).map((s) => Number(s.split('#')[1])).sort((x, y) => x - y);
      expect(counts).toEqual([...Array(1500).keys()].map((i) => i + 1));
    }
  });

  it('computes fixed and exponential delays and gives up when told', () => {
    const fixed = new RestartTracker(RestartStrategies.fixedDelay({ maxAttempts: 2, delayMs: 100 }));
    expect([fixed.nextDelay(0), fixed.nextDelay(0), fixed.nextDelay(0)]).toEqual([100, 100, undefined]);
    const exp = new RestartTracker(RestartStrategies.exponentialBackoff({ initialDelayMs: 10, maxDelayMs: 35, maxAttempts: 4, resetAfterMs: 1000 }));
    expect([exp.nextDelay(0), exp.nextDelay(0), exp.nextDelay(0)]).toEqual([10, 20, 35]);
    expect(exp.nextDelay(5000)).toBe(10); // a long healthy run resets the backoff
    expect(new RestartTracker(RestartStrategies.none()).nextDelay(0)).toBeUndefined();
  });
});

describe('multi-input and time', () => {
  it('unions two sources, min-combines watermarks, and an idle input does not hold windows back', async () => {
    const out = memorySink<WindowResult<number>>();
    const p = new Pipeline(await base('union'));
    const wm = WatermarkStrategies.forMonotonousTimestamps<{ ts: number }>((r) => r.ts).withIdleness(100);
    const busy = p.source('busy', generatorSource({ splits: 1, batchSize: 50, ratePerSecond: 2000, generate: (_s, o) => ({ ts: o * 100 }) }), { watermarks: wm });
    // one record, then silence: goes idle after 100 ms
    const quiet = p.source('quiet', generatorSource({ splits: 1, generate: () => ({ ts: 0 }), ratePerSecond: 0.0001 }), { watermarks: wm });
    busy
      .union('both', quiet)
      .keyBy(() => 'all')
      .window('seconds', tumblingWindows(1000), { create: () => 0, add: (n: number) => n + 1, result: (n) => n })
      .sink('out', out);
    const job = p.start();
    const deadline = Date.now() + 5000;
    while (out.committed.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await job.stop({ mode: 'cancel' });
    // windows fired while the job ran, although 'quiet' never sent a watermark past 0
    expect(out.committed.length).toBeGreaterThanOrEqual(3);
    expect(out.committed[0]).toMatchObject({ start: 0, end: 1000, value: 10 });
  });

  it('pauses sources while a slow sink applies backpressure', async () => {
    let written = 0;
    let maxAhead = 0;
    let read = 0;
    const slow: Sink<number, never, null> = {
      async createWriter() {
        return {
          async write(records) {
            await new Promise((r) => setTimeout(r, 5));
            written += records.length;
          },
          async prepareCommit() {
            return [];
          },
          async close() {},
        };
      },
      async createCommitter() {
        return { async commit() {} };
      },
    };
    const p = new Pipeline(await base('backpressure'));
    p.source('fast', generatorSource({ splits: 1, recordsPerSplit: 2000, batchSize: 100, generate: (_s, o) => o }))
      .map('count', (n) => {
        read++;
        maxAhead = Math.max(maxAhead, read - written);
        return n;
      })
      .sink('slow', slow);
    await p.run();
    expect(written).toBe(2000);
    expect(maxAhead).toBeLessThanOrEqual(100); // never more than one batch in flight
  });

  it('asyncMap keeps order and bounds concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = memorySink<number>();
    const p = new Pipeline(await base('async'));
    p.source('n', collectionSource([...Array(200).keys()], { batchSize: 50 }))
      .asyncMap(
        'lookup',
        async (n) => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((r) => setTimeout(r, (n * 7) % 5));
          inFlight--;
          return n * 2;
        },
        { concurrency: 8 },
      )
      .sink('out', out);
    await p.run();
    expect(out.committed).toEqual([...Array(200).keys()].map((n) => n * 2));
    expect(peak).toBeLessThanOrEqual(8);
  });
});
