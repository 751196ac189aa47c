/**
 * Histories of a job's instance locations for the savepoint-set search: runs that checkpoint,
 * suspend (completely or not), crash and rescale, written through a real `CheckpointStorage`
 * (local here, S3 in @weir/s3's tests) with the metadata a run writes. Each case states what
 * a start of `m` instances must get: the savepoint set (as instance/id pairs), 'latest', or a
 * refusal whose message names the cause.
 */

import { expect } from 'vitest';
import { findSavepointSet, SavepointSetError, type CheckpointStorage, type CompletedCheckpoint } from '@weir/core';

const JOB = 'orders';
const MAX_PARALLELISM = 12;

/** Writes points the way runs do: ids grow per location, clocks move forward. */
export class History {
  private readonly nextId = new Map<number, number>();
  private clock = 1_000_000;
  constructor(readonly storageOf: (instance: number) => CheckpointStorage) {}

  /** Each of `n` instances writes `count` checkpoints (or one savepoint); returns the points in instance order. */
  async write(n: number, kind: 'checkpoint' | 'savepoint', opts: { only?: number[]; job?: string } = {}): Promise<CompletedCheckpoint[]> {
    const out: CompletedCheckpoint[] = [];
    for (let i = 0; i < n; i++) {
      if (opts.only !== undefined && !opts.only.includes(i)) continue;
      const id = this.nextId.get(i) ?? 1;
      this.nextId.set(i, id + 1);
      this.clock += 10;
      const storage = this.storageOf(i);
      // a state file, so the point is a real checkpoint directory with content
      await storage.filesFor(id, kind, 'window').write('state.json', new TextEncoder().encode(JSON.stringify({ i, id })));
      out.push(await storage.publish({ formatVersion: 2, id, kind, jobName: opts.job ?? JOB, createdAtMs: this.clock, subtask: i, parallelism: n, maxParallelism: MAX_PARALLELISM, steps: {} }));
    }
    return out;
  }

  /** Time passes between runs (a suspend, then the next start). */
  pause(ms = 5000): void {
    this.clock += ms;
  }

  /** A run restored from a set continues its ids above the set's newest id (as the runtime does). */
  continueAbove(set: readonly CompletedCheckpoint[], n: number): void {
    const above = Math.max(...set.map((c) => c.metadata.id)) + 1;
    for (let i = 0; i < n; i++) this.nextId.set(i, Math.max(this.nextId.get(i) ?? 1, above));
  }

  find(m: number, locations = MAX_PARALLELISM) {
    return findSavepointSet({ jobName: JOB, storageOf: this.storageOf, locations, parallelism: m });
  }
}

export interface HistoryCase {
  name: string;
  run(h: History): Promise<void>;
}

const paths = (set: readonly CompletedCheckpoint[]) => set.map((c) => c.path);

export const historyCases: HistoryCase[] = [
  {
    name: 'no checkpoint anywhere: a fresh start',
    run: async (h) => {
      const found = await h.find(3);
      expect(found.restoreFrom).toBe('latest');
      expect(found.set).toBeUndefined();
      expect(found.explanation).toMatch(/fresh start/);
    },
  },
  {
    name: 'a complete suspend of 3: the set, in instance order, for any new count',
    run: async (h) => {
      await h.write(3, 'checkpoint');
      const sps = await h.write(3, 'savepoint');
      for (const m of [1, 2, 3, 4]) {
        const found = await h.find(m);
        expect(found.restoreFrom).toEqual(paths(sps));
        expect(found.set?.parallelism).toBe(3);
        expect(found.newer).toEqual([]);
      }
      // another job's savepoints at the same locations are not this job's
      await h.write(2, 'savepoint', { job: 'other-job' });
      expect((await h.find(2)).restoreFrom).toEqual(paths(sps));
    },
  },
  {
    name: 'after 3 -> 2 the new run crashes: the set stays, the run of 2 restores its own newer checkpoints; 4 is refused',
    run: async (h) => {
      const sps = await h.write(3, 'savepoint');
      h.pause();
      h.continueAbove(sps, 2);
      const chks = await h.write(2, 'checkpoint');
      const found = await h.find(2);
      expect(found.restoreFrom).toEqual(paths(sps));
      expect(found.newer.map((c) => c.path).sort()).toEqual(paths(chks).sort());
      expect(found.explanation).toMatch(/as after a crash/);
      const refused = await h.find(4).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(SavepointSetError);
      expect(String(refused)).toMatch(/ran after it, with 2 instances.*Start 2 instances again/s);
    },
  },
  {
    name: '3 -> 2 -> 4: the newest set (of 2) wins over the older one (of 3)',
    run: async (h) => {
      const a = await h.write(3, 'savepoint');
      h.pause();
      h.continueAbove(a, 2);
      await h.write(2, 'checkpoint');
      const b = await h.write(2, 'savepoint');
      h.pause();
      const found = await h.find(4);
      expect(found.restoreFrom).toEqual(paths(b));
      expect(found.explanation).toMatch(/set of 2 instances .* rescaled to 4/);
    },
  },
  {
    name: 'an incomplete suspend (instance 2 of 4 left no savepoint): refused for another count, crash recovery for the same',
    run: async (h) => {
      const b = await h.write(2, 'savepoint');
      h.pause();
      h.continueAbove(b, 4);
      await h.write(4, 'checkpoint');
      await h.write(4, 'savepoint', { only: [0, 1, 3] });
      const refused = await h.find(3).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(SavepointSetError);
      expect(String(refused)).toMatch(/instance 2 left no savepoint/);
      const same = await h.find(4);
      expect(same.restoreFrom).toEqual(paths(b));
      expect(same.newer).toHaveLength(4);
      expect(same.explanation).toMatch(/not a complete set: instance 2 left no savepoint/);
    },
  },
  {
    name: 'a set mixing two runs (3, then 2, then 3 whose instance 2 never wrote) is not taken',
    run: async (h) => {
      const a = await h.write(3, 'savepoint');
      h.pause();
      h.continueAbove(a, 2);
      const b = await h.write(2, 'savepoint');
      h.pause();
      h.continueAbove(b, 3);
      // the run of 3 restored from b: instances 0 and 1 suspend, instance 2 wrote nothing at all
      await h.write(3, 'savepoint', { only: [0, 1] });
      const found = await h.find(3);
      // instance 2's newest savepoint of a run of 3 is a's: with c's it would restore a's state twice
      expect(found.restoreFrom).toEqual(paths(b));
      expect(found.explanation).toMatch(/not from one suspend/);
      await expect(h.find(2)).rejects.toThrow(SavepointSetError);
    },
  },
  {
    name: 'no complete set at all: the run continues with its own checkpoints, another count is refused',
    run: async (h) => {
      await h.write(3, 'checkpoint');
      await h.write(3, 'savepoint', { only: [0] });
      expect((await h.find(3)).restoreFrom).toBe('latest');
      await expect(h.find(2)).rejects.toThrow(/there is no complete savepoint set/);
    },
  },
  {
    name: 'fewer locations read than the run had instances: said so',
    run: async (h) => {
      await h.write(5, 'savepoint');
      await expect(h.find(2, 4)).rejects.toThrow(/ran with 5 instances but only 4 locations were read/);
    },
  },
];
