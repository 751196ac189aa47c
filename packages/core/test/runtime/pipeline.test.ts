import { describe, expect, it } from 'vitest';
import { Pipeline, collectionSource, heapStateBackend, memorySink, silentLogger, type DeadLetter } from '@weir/core';
import { tempDir } from './helpers.js';

describe('pipeline basics', () => {
  it('runs a fused map/filter/flatMap chain and commits at the end of bounded input', async () => {
    const out = memorySink<string>();
    const p = new Pipeline({ name: 'chain', checkpoints: { dir: await tempDir(), intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger });
    p.source('numbers', collectionSource([1, 2, 3, 4, 5, 6], { splits: 2, batchSize: 2 }))
      .map('double', (n) => n * 2)
      .filter('big', (n) => n > 4)
      .flatMap('twice', (n) => [`${n}a`, `${n}b`])
      .sink('out', out);
    const result = await p.run();
    expect(result.outcome).toBe('finished');
    expect([...out.committed].sort()).toEqual(['10a', '10b', '12a', '12b', '6a', '6b', '8a', '8b']);
  });

  it('counts per key with keyed state', async () => {
    const out = memorySink<[string, number]>();
    const p = new Pipeline({ name: 'count', checkpoints: { dir: await tempDir(), intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger });
    const words = 'a b a c b a'.split(' ');
    p.source('words', collectionSource(words))
      .keyBy((w) => w)
      .process<[string, number]>('count', () => {
        let count: import('@weir/core').ValueState<number>;
        return {
          open: (ctx) => void (count = ctx.state.valueState<number>('count')),
          processElement: (w, ctx) => {
            const n = (count.value() ?? 0) + 1;
            count.update(n);
            ctx.emit([w, n]);
          },
        };
      })
      .sink('out', out);
    await p.run();
    expect(out.committed).toEqual([
      ['a', 1],
      ['b', 1],
      ['a', 2],
      ['c', 1],
      ['b', 2],
      ['a', 3],
    ]);
  });

  it('routes records a step throws on to the dead letters with step name and reason', async () => {
    const out = memorySink<number>();
    const dead = memorySink<DeadLetter>();
    const p = new Pipeline({ name: 'dlq', checkpoints: { dir: await tempDir(), intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger });
    p.source('in', collectionSource([1, 2, 3, 4]))
      .map('parse', (n) => {
        if (n % 2 === 0) throw new Error(`even number ${n}`);
        return n;
      })
      .sink('out', out);
    p.deadLetters().sink('dead', dead);
    await p.run();
    expect(out.committed).toEqual([1, 3]);
    expect(dead.committed.map((d) => [d.step, d.error, d.record])).toEqual([
      ['parse', 'even number 2', 2],
      ['parse', 'even number 4', 4],
    ]);
  });

  it('names the failing step inside a fused chain, before and after a flatMap', async () => {
    const out = memorySink<string>();
    const dead = memorySink<DeadLetter>();
    const p = new Pipeline({ name: 'dlq-chain', checkpoints: { dir: await tempDir(), intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger });
    p.source('in', collectionSource([1, 2, 3]))
      .flatMap('split', (n) => {
        if (n === 2) throw new Error('no split for 2');
        return [`${n}a`, `${n}b`];
      })
      .map('check', (s) => {
        if (s === '3b') throw new Error('bad 3b');
        return s.toUpperCase();
      })
      .sink('out', out);
    p.deadLetters().sink('dead', dead);
    await p.run();
    expect(out.committed).toEqual(['1A', '1B', '3A']);
    expect(dead.committed.map((d) => [d.step, d.error, d.record])).toEqual([
      ['split', 'no split for 2', 2],
      ['check', 'bad 3b', '3b'],
    ]);
  });

  it('rejects duplicate step names', () => {
    const p = new Pipeline({ name: 'dup' });
    const s = p.source('a', collectionSource([1]));
    s.map('x', (n) => n);
    expect(() => s.map('x', (n) => n)).toThrow(/duplicate step name 'x'/);
  });

  it('fails the job with the step name when the policy is fail and no restart is allowed', async () => {
    const p = new Pipeline({
      name: 'fail',
      checkpoints: { dir: await tempDir(), intervalMs: 0 },
      stateBackend: heapStateBackend(),
      logger: silentLogger,
      errorPolicy: 'fail',
      restart: { kind: 'none' },
    });
    p.source('in', collectionSource([1, 2]))
      .map('boom', () => {
        throw new Error('bad record');
      })
      .sink('out', memorySink<number>());
    await expect(p.run()).rejects.toThrow(/step 'boom' failed at source 'in', split split-0, offset 0: bad record/);
  });
});
