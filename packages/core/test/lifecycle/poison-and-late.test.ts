import { describe, expect, it } from 'vitest';
import {
  LATE_DATA,
  Pipeline,
  RestartStrategies,
  WatermarkStrategies,
  generatorSource,
  heapStateBackend,
  memorySink,
  silentLogger,
  tumblingWindows,
  type DeadLetter,
  type Logger,
  type WindowResult,
} from '@weir/core';
import { tempDir } from '../runtime/helpers.js';

interface Order {
  id: number;
  customer: string;
  ts: number;
}
/** JSON payloads; every 250th is malformed (unterminated string), as a producer bug would leave them. */
const payload = (_s: number, o: number) => (o % 250 === 7 ? `{"id":${o},"customer":"c` : JSON.stringify({ id: o, customer: `c${o % 5}`, ts: o * 20 }));
const base = async (name: string) => ({ name, checkpoints: { dir: await tempDir(), intervalMs: 50 }, stateBackend: heapStateBackend(), logger: silentLogger });

describe('poison input never loops', () => {
  it('parse, then assign event time: malformed records are dead letters with their source position; windows are right', async () => {
    const out = memorySink<WindowResult<number>>();
    const dead = memorySink<DeadLetter>();
    const p = new Pipeline(await base('parse-then-time'));
    p.source('raw', generatorSource({ splits: 2, recordsPerSplit: 1000, batchSize: 64, generate: payload }))
      .map('parse', (s: string) => JSON.parse(s) as Order)
      .assignTimestampsAndWatermarks('event-time', WatermarkStrategies.forBoundedOutOfOrderness<Order>(0, (o) => o.ts))
      .keyBy((o) => o.customer)
      .window('per-second', tumblingWindows(1000), { create: () => 0, add: (n: number) => n + 1, result: (n) => n })
      .sink('out', out);
    p.deadLetters().sink('dead', dead);
    const r = await p.run();
    expect(r.outcome).toBe('finished');
    const malformed = [...Array(1000).keys()].filter((o) => o % 250 === 7);
    expect(dead.committed.map((d) => d.position).sort((a, b) => `${a!.split}${a!.offset as number}`.localeCompare(`${b!.split}${b!.offset as number}`))).toEqual(
      ['split-0', 'split-1'].flatMap((split) => malformed.map((offset) => ({ source: 'raw', split, offset }))).sort((a, b) => `${a.split}${a.offset}`.localeCompare(`${b.split}${b.offset}`)),
    );
    expect(dead.committed.every((d) => d.step === 'parse' && /JSON/.test(d.error))).toBe(true);
    // 2 splits x (1000 - 4 malformed) records counted in windows, each window once
    expect(out.committed.reduce((n, w) => n + w.value, 0)).toBe(2 * (1000 - malformed.length));
    expect(new Set(out.committed.map((w) => `${w.key}@${w.start}`)).size).toBe(out.committed.length);
  });

  it('a throwing timestamp extractor at the source dead-letters the record and the job goes on', async () => {
    const out = memorySink<number>();
    const dead = memorySink<DeadLetter>();
    const p = new Pipeline(await base('bad-extractor'));
    p.source('n', generatorSource({ splits: 1, recordsPerSplit: 500, generate: (_s, o) => o }), {
      watermarks: WatermarkStrategies.forMonotonousTimestamps<number>((n) => {
        if (n === 123) throw new Error('no timestamp field');
        return n;
      }),
    }).sink('out', out);
    p.deadLetters().sink('dead', dead);
    await p.run();
    expect(out.committed.length).toBe(499);
    expect(dead.committed).toHaveLength(1);
    expect(dead.committed[0]).toMatchObject({ step: 'n', record: 123, position: { source: 'n', split: 'split-0', offset: 123 } });
    expect(dead.committed[0]!.error).toMatch(/no timestamp field/);
  });

  it("a record that fails the job every time is skipped into the dead letters after 3 attempts (step policy 'fail')", async () => {
    const out = memorySink<number>();
    const dead = memorySink<DeadLetter>();
    let calls = 0;
    const p = new Pipeline({ ...(await base('poison-skip')), restart: RestartStrategies.fixedDelay({ maxAttempts: 10, delayMs: 10 }) });
    p.source('n', generatorSource({ splits: 2, recordsPerSplit: 800, batchSize: 40, ratePerSecond: 20_000, generate: (s, o) => s * 10_000 + o }))
      .keyBy((n) => n % 3)
      .process<number>(
        'strict',
        () => ({
          processElement: (n, ctx) => {
            if (n === 10_417) {
              calls++;
              throw new Error('invariant violated');
            }
            ctx.emit(n);
          },
        }),
        { onError: 'fail' },
      )
      .sink('out', out);
    p.deadLetters().sink('dead', dead);
    const r = await p.run();
    expect(r.outcome).toBe('finished');
    expect(r.restarts).toBe(3);
    expect(calls).toBe(3);
    expect(dead.committed).toHaveLength(1);
    expect(dead.committed[0]).toMatchObject({ record: 10_417, position: { source: 'n', split: 'split-1', offset: 417 }, step: 'strict' });
    expect(dead.committed[0]!.error).toMatch(/skipped after failing the job 3 times in step 'strict': invariant violated/);
    const expected = [...Array(800).keys()].flatMap((o) => [o, 10_000 + o]).filter((n) => n !== 10_417).sort((a, b) => a - b);
    expect([...out.committed].sort((a, b) => a - b)).toEqual(expected);
  });

  it("with errorPolicy 'fail' the job gives up after 3 failures at the same record instead of restarting forever", async () => {
    let calls = 0;
    const p = new Pipeline({ ...(await base('poison-fail')), errorPolicy: 'fail', restart: RestartStrategies.fixedDelay({ maxAttempts: 100, delayMs: 5 }) });
    p.source('n', generatorSource({ splits: 1, recordsPerSplit: 100, generate: (_s, o) => o }))
      .map('strict', (n) => {
        if (n === 42) {
          calls++;
          throw new Error('bad');
        }
        return n;
      })
      .sink('out', memorySink<number>());
    await expect(p.run()).rejects.toThrow(/step 'strict' failed at source 'n', split split-0, offset 42: bad/);
    expect(calls).toBe(3);
  });
});

describe('late data is counted', () => {
  it('counts late records per step, in status and Prometheus, and warns once when nothing consumes them', async () => {
    const warnings: string[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (o: object | string, m?: string) => warnings.push(`${m ?? ''} ${JSON.stringify(o)}`),
      error: () => undefined,
      child() {
        return this;
      },
    };
    const out = memorySink<WindowResult<number>>();
    const p = new Pipeline({ ...(await base('late')), logger });
    // every 100th record is 5 s older than the stream: late for 1 s windows with no out-of-orderness allowed
    p.source('n', generatorSource({ splits: 1, recordsPerSplit: 3000, batchSize: 50, generate: (_s, o) => ({ o, ts: o % 100 === 99 ? o * 10 - 5000 : o * 10 }) }), {
      watermarks: WatermarkStrategies.forBoundedOutOfOrderness<{ o: number; ts: number }>(0, (r) => r.ts),
    })
      .keyBy(() => 'all')
      .window('w', tumblingWindows(1000), { create: () => 0, add: (n: number) => n + 1, result: (n) => n })
      .sink('out', out);
    const job = p.start();
    await job.done;
    const step = job.status().steps.find((s) => s.step === 'w')!;
    const late = [...Array(3000).keys()].filter((o) => o % 100 === 99 && o * 10 - 5000 >= 0).length;
    expect(step.lateRecords).toBeGreaterThanOrEqual(late - 1);
    expect(out.committed.reduce((n, w) => n + w.value, 0)).toBe(3000 - step.lateRecords);
    expect(await job.prometheus()).toMatch(new RegExp(`weir_step_late_records_total\\{step="w",job="late"\\} ${step.lateRecords}`));
    expect(warnings.filter((w) => /late records dropped/.test(w))).toHaveLength(1);
  });

  it('late records consumed from LATE_DATA are counted and kept', async () => {
    const lateOut = memorySink<unknown>();
    const p = new Pipeline(await base('late-kept'));
    const windows = p
      .source('n', generatorSource({ splits: 1, recordsPerSplit: 1000, batchSize: 50, generate: (_s, o) => ({ ts: o % 100 === 99 ? o * 10 - 3000 : o * 10 }) }), {
        watermarks: WatermarkStrategies.forBoundedOutOfOrderness<{ ts: number }>(0, (r) => r.ts),
      })
      .keyBy(() => 'all')
      .window('w', tumblingWindows(1000), { create: () => 0, add: (n: number) => n + 1, result: (n) => n });
    windows.sink('out', memorySink<unknown>());
    windows.sideOutput(LATE_DATA).sink('late', lateOut);
    const job = p.start();
    await job.done;
    expect(lateOut.committed.length).toBe(job.status().steps.find((s) => s.step === 'w')!.lateRecords);
    expect(lateOut.committed.length).toBeGreaterThan(0);
  });

  it('split status carries each split watermark and idleness', async () => {
    const p = new Pipeline(await base('split-status'));
    p.source('n', generatorSource({ splits: 2, ratePerSecond: 2000, generate: (s, o) => ({ ts: s === 0 ? o : 0 }) }), {
      watermarks: WatermarkStrategies.forMonotonousTimestamps<{ ts: number }>((r) => r.ts),
    }).sink('out', memorySink<unknown>());
    const job = p.start();
    const end = Date.now() + 5000;
    while (Date.now() < end && !(job.status().splits.length === 2 && job.status().splits.every((s) => s.watermark !== null))) await new Promise((r) => setTimeout(r, 20));
    const splits = job.status().splits;
    await job.stop({ mode: 'cancel' });
    expect(splits.map((s) => s.split).sort()).toEqual(['split-0', 'split-1']);
    expect(splits.every((s) => s.watermark !== null && s.idle === false)).toBe(true);
  });
});
