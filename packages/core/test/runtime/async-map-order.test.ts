import { describe, expect, it } from 'vitest';
import { heapStateBackend, silentLogger, type DeadLetter } from '@weir/core';
import { TestDriver } from '@weir/core/testing';

/** Resolves after `turns` macrotask turns: a deterministic latency without wall-clock time. */
const after = (turns: number) => new Promise<void>((resolve) => (turns <= 0 ? resolve() : setImmediate(() => void after(turns - 1).then(resolve))));
/** Record i's call takes turns that fall with i: the later records of a batch complete first. */
const turnsOf = (i: number) => (17 - (i % 17)) % 9;

async function run(order: 'ordered' | 'unordered', batches: number[][]) {
  await using driver = new TestDriver({ stateBackend: heapStateBackend(), logger: silentLogger });
  const input = driver.input<number>('in');
  const completed: number[] = [];
  const mapped = input.stream.asyncMap(
    'call',
    async (i: number) => {
      await after(turnsOf(i));
      if (i % 23 === 22) throw new Error(`call ${i} failed`);
      completed.push(i);
      return i;
    },
    { concurrency: 5, order },
  );
  // what the next step sees: each record with the watermark in force when it arrives
  const seen = driver.output(
    'seen',
    mapped.keyBy(() => 'all').process<[number, number]>('watch', () => ({ processElement: (i, ctx) => ctx.emit([i, ctx.timers.currentWatermark()]) })),
  );
  const dead = driver.output('dead', driver.pipeline.deadLetters());
  await driver.start();
  const watermarks: number[] = [];
  for (const [b, batch] of batches.entries()) {
    await input.pipe(batch.map((i) => ({ value: i, timestamp: 1_000 * b + 500 })));
    watermarks.push(1_000 * (b + 1));
    await input.advanceWatermark(1_000 * (b + 1));
  }
  await driver.checkpoint();
  return { seen: seen.committed, completed, dead: (dead.committed as DeadLetter[]).map((d) => d.record as number), watermarks };
}

const batches = [[...Array(40).keys()], [...Array(30).keys()].map((i) => 100 + i), [200, 201, 202]];

describe('asyncMap order', () => {
  it('ordered: results in input order although the calls complete out of order', async () => {
    const r = await run('ordered', batches);
    const expected = batches.flat().filter((i) => i % 23 !== 22);
    expect(r.completed).not.toEqual(expected); // the test's latencies do reorder completion
    expect(r.seen.map(([i]) => i)).toEqual(expected);
    expect(r.dead).toEqual(batches.flat().filter((i) => i % 23 === 22));
  });

  it('unordered: results in completion order, never across a watermark; failures still dead-lettered', async () => {
    const r = await run('unordered', batches);
    expect(r.seen.map(([i]) => i)).toEqual(r.completed);
    expect(r.seen.map(([i]) => i)).not.toEqual(batches.flat().filter((i) => i % 23 !== 22));
    // every record reaches the next step before the watermark that followed its batch
    const batchOf = (i: number) => batches.findIndex((b) => b.includes(i));
    for (const [i, wm] of r.seen) expect(wm).toBe(batchOf(i) === 0 ? Number.MIN_SAFE_INTEGER : r.watermarks[batchOf(i) - 1]);
    expect([...r.dead].sort((a, b) => a - b)).toEqual(batches.flat().filter((i) => i % 23 === 22));
  });

  it('unordered: the first completed results leave before the slowest call of the batch returns', async () => {
    await using driver = new TestDriver({ stateBackend: heapStateBackend(), logger: silentLogger });
    const input = driver.input<number>('in');
    const events: string[] = [];
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const mapped = input.stream.asyncMap(
      'call',
      async (i: number) => {
        if (i === 0) await slow;
        return i;
      },
      { concurrency: 4, order: 'unordered' },
    );
    driver.output(
      'seen',
      mapped.map('watch', (i) => {
        events.push(`out ${i}`);
        if (i === 3) setImmediate(() => (events.push('release 0'), release()));
        return i;
      }),
    );
    await driver.start();
    await input.pipe([0, 1, 2, 3].map((value) => ({ value, timestamp: 0 })));
    expect(events).toEqual(['out 1', 'out 2', 'out 3', 'release 0', 'out 0']);
  });

  it('rejects an unknown order', () => {
    const driver = new TestDriver({ logger: silentLogger });
    expect(() => driver.input<number>('in').stream.asyncMap('call', async (i) => i, { order: 'random' as 'ordered' })).toThrow(/order/);
    void driver.close();
  });
});
