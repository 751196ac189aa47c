/**
 * In-memory two-phase-commit sink for tests and benchmarks. Records become visible in
 * `committed` only when the checkpoint that covers them completes, and survive in-process
 * restarts exactly once.
 */

import type { Sink, SinkWriter } from './types.js';

export interface MemorySink<T> {
  readonly sink: Sink<T, MemoryCommittable, null>;
  /** Records of completed checkpoints, in commit order. */
  readonly committed: T[];
  /** Records written but not (yet) committed. */
  pendingCount(): number;
}

export interface MemoryCommittable {
  batch: number;
}

export function memorySink<T>(): MemorySink<T> {
  const committed: T[] = [];
  const prepared = new Map<number, T[]>();
  const done = new Set<number>();
  let nextBatch = 1;
  let current: T[] = [];
  const sink: Sink<T, MemoryCommittable, null> = {
    async createWriter(): Promise<SinkWriter<T, MemoryCommittable>> {
      current = [];
      return {
        write(records) {
          for (let i = 0; i < records.length; i++) current.push(records[i]!);
        },
        async prepareCommit() {
          if (current.length === 0) return [];
          const batch = nextBatch++;
          prepared.set(batch, current);
          current = [];
          return [{ batch }];
        },
        async close() {},
      };
    },
    async createCommitter() {
      return {
        async commit(_id, committables) {
          for (const { batch } of committables) {
            if (done.has(batch)) continue;
            const records = prepared.get(batch);
            if (records === undefined) throw new Error(`memory sink: unknown batch ${batch}`);
            for (const r of records) committed.push(r);
            prepared.delete(batch);
            done.add(batch);
          }
        },
      };
    },
    async abortLeftovers(_ctx, restored) {
      const keep = new Set(restored.map((c) => c.batch));
      for (const batch of [...prepared.keys()]) if (!keep.has(batch)) prepared.delete(batch);
    },
  };
  return { sink, committed, pendingCount: () => current.length + [...prepared.values()].reduce((n, b) => n + b.length, 0) };
}
