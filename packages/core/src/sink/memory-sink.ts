/**
 * In-memory two-phase-commit sink for tests and benchmarks. Records become visible in
 * `committed` only when the checkpoint that covers them completes, and survive in-process
 * restarts exactly once.
 */

import type { Sink, SinkWriter } from './types.js';

/** A sink like every other (pass it to `.sink(name, ...)`), with what it committed. */
export interface MemorySink<T> extends Sink<T, MemoryCommittable, null> {
  /** Records of completed checkpoints, in commit order. */
  readonly committed: T[];
  /** Records written but not (yet) committed. */
  pendingCount(): number;
  /** Number of committed records (without materialising `committed`). */
  committedCount(): number;
}

export interface MemoryCommittable {
  /** The sink instance that prepared the batch: another instance (an earlier run) cannot commit it. */
  sink: string;
  batch: number;
}

let instances = 0;

export function memorySink<T>(): MemorySink<T> {
  // batches are kept by reference (the runtime never reuses an emitted array): no per-record copy
  const committedChunks: Array<readonly T[]> = [];
  let committedFlat: T[] | undefined;
  const prepared = new Map<number, Array<readonly T[]>>();
  const done = new Set<number>();
  let nextBatch = 1;
  // a checkpoint restored into a new sink instance names batches of an earlier instance, which
  // that instance committed (or which were lost with its memory): never ours to commit
  const id = `memory-${process.pid}-${++instances}`;
  let current: Array<readonly T[]> = [];
  const count = (chunks: Array<readonly T[]>) => chunks.reduce((n, c) => n + c.length, 0);
  return {
    async createWriter(): Promise<SinkWriter<T, MemoryCommittable>> {
      current = [];
      return {
        write(records) {
          if (records.length > 0) current.push(records);
        },
        async prepareCommit() {
          if (current.length === 0) return [];
          const batch = nextBatch++;
          prepared.set(batch, current);
          current = [];
          return [{ sink: id, batch }];
        },
        async close() {},
      };
    },
    async createCommitter() {
      return {
        async commit(_id, committables) {
          for (const { sink: owner, batch } of committables) {
            if (owner !== id || done.has(batch)) continue;
            const records = prepared.get(batch);
            if (records === undefined) throw new Error(`memory sink: unknown batch ${batch}`);
            for (const chunk of records) committedChunks.push(chunk);
            committedFlat = undefined;
            prepared.delete(batch);
            done.add(batch);
          }
        },
      };
    },
    async abortLeftovers(_ctx, restored) {
      const keep = new Set(restored.filter((c) => c.sink === id).map((c) => c.batch));
      for (const batch of [...prepared.keys()]) if (!keep.has(batch)) prepared.delete(batch);
    },
    get committed() {
      committedFlat ??= committedChunks.flat() as T[];
      return committedFlat;
    },
    pendingCount: () => count(current) + [...prepared.values()].reduce((n, b) => n + count(b), 0),
    committedCount: () => count(committedChunks),
  };
}
