import { describe, expect, it } from 'vitest';
import { SerialQueue } from '../../src/state/level/serial-queue.js';

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('SerialQueue', () => {
  it('runs tasks one at a time in submission order', async () => {
    const q = new SerialQueue();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await tick(ms);
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([q.run(task('a', 20)), q.run(task('b', 1)), q.run(task('c', 5))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(q.size).toBe(0);
  });

  it('below(n) resolves once at most n tasks are pending', async () => {
    const q = new SerialQueue();
    for (let i = 0; i < 5; i++) void q.run(() => tick(5));
    expect(q.size).toBe(5);
    await q.below(2);
    expect(q.size).toBeLessThanOrEqual(2);
    expect(q.size).toBeGreaterThan(0);
    await q.idle();
    expect(q.size).toBe(0);
  });

  it('makes the first failure sticky for later tasks, idle and below', async () => {
    const q = new SerialQueue();
    const first = q.run(async () => {
      throw new Error('disk full');
    });
    let ran = false;
    const second = q.run(async () => {
      ran = true;
    });
    await expect(first).rejects.toThrow('disk full');
    await expect(second).rejects.toThrow('disk full');
    expect(ran).toBe(false);
    expect((q.error as Error).message).toBe('disk full');
    await expect(q.idle()).rejects.toThrow('disk full');
    await expect(q.below(0)).rejects.toThrow('disk full');
    expect(q.size).toBe(0);
  });
});
