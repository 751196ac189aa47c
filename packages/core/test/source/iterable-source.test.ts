import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Pipeline, RestartStrategies, heapStateBackend, iterableSource, memorySink, silentLogger, type IterableSourceOptions } from '../../src/index.js';

let dir = '';
afterEach(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

/** Records `from`.. below 3, then (once `open`) the rest up to 6; an input that can be iterated again. */
function numbers(open: Promise<void>) {
  return async function* (from = 0) {
    for (let i = from; i < 3; i++) yield i;
    await open;
    for (let i = Math.max(3, from); i < 6; i++) yield i;
  };
}

function pipeline(input: AsyncIterable<number> | Iterable<number>, options: IterableSourceOptions<number, number> = {}) {
  const p = new Pipeline({ name: 'iterable', logger: silentLogger, stateBackend: heapStateBackend(), restart: RestartStrategies.none(), checkpoints: { dir: join(dir, 'cp'), intervalMs: 0 } });
  const out = memorySink<number>();
  p.source('numbers', iterableSource(input, options)).sink('out', out);
  return { p, out };
}

/** Run until the first three records are in the sink, then suspend (a savepoint covering them). */
async function suspendAfterThree(input: AsyncIterable<number>, options: IterableSourceOptions<number, number> = {}): Promise<number[]> {
  const { p, out } = pipeline(input, options);
  const job = p.start();
  await vi.waitFor(() => expect(out.pendingCount()).toBe(3), { timeout: 10_000, interval: 5 });
  expect((await job.stop({ mode: 'suspend' })).outcome).toBe('suspended');
  return out.committed;
}

describe('iterableSource', () => {
  it('reads an async generator to its end', async () => {
    dir = await mkdtemp(join(tmpdir(), 'weir-iterable-'));
    const { p, out } = pipeline(numbers(Promise.resolve())());
    expect((await p.run()).outcome).toBe('finished');
    expect(out.committed).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('resumes a re-iterable input by skipping what the checkpoint covers', async () => {
    dir = await mkdtemp(join(tmpdir(), 'weir-iterable-'));
    const gen = numbers(new Promise<void>(() => {}));
    expect(await suspendAfterThree({ [Symbol.asyncIterator]: () => gen() })).toEqual([0, 1, 2]);
    const { p, out } = pipeline({ [Symbol.asyncIterator]: () => numbers(Promise.resolve())() });
    await p.run();
    expect(out.committed).toEqual([3, 4, 5]);
  });

  it('resumes through resumeFrom with the position of the last record', async () => {
    dir = await mkdtemp(join(tmpdir(), 'weir-iterable-'));
    const position = (n: number) => n * 10;
    const blocked = numbers(new Promise<void>(() => {}));
    expect(await suspendAfterThree(blocked(), { position })).toEqual([0, 1, 2]);
    const resumeFrom = vi.fn((at: number) => numbers(Promise.resolve())(at / 10 + 1));
    const { p, out } = pipeline(numbers(Promise.resolve())(), { position, resumeFrom });
    await p.run();
    expect(resumeFrom).toHaveBeenCalledWith(20);
    expect(out.committed).toEqual([3, 4, 5]);
  });

  it('refuses to resume a generator object this process already read', async () => {
    dir = await mkdtemp(join(tmpdir(), 'weir-iterable-'));
    const { p, out } = pipeline(numbers(new Promise<void>(() => {}))());
    const job = p.start();
    await vi.waitFor(() => expect(out.pendingCount()).toBe(3), { timeout: 10_000, interval: 5 });
    await job.stop({ mode: 'suspend' });
    await expect(p.run()).rejects.toThrow(/one-shot iterable/);
  });

  it('validates its options', () => {
    expect(() => iterableSource([], { batchsize: 1 } as never)).toThrow(/did you mean 'batchSize'/);
  });
});
