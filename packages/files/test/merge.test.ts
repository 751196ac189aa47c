import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bucketedFileSink, type MergeStep } from '../src/index.js';
import { allRecords, HOUR, sinkContext, T0, tempDir, walk } from './helpers.js';

interface Ev {
  stream: string;
  id: number;
  ts: number;
}

const PART = 'a/dt=2024-05-01/hour=00';

/** The ids a reader sees, sorted; duplicates stay. */
async function visibleIds(dir: string): Promise<number[]> {
  return retryOnEnoent(async () => (await allRecords<Ev>(dir)).map((e) => e.id).sort((a, b) => a - b));
}

/** Readers list again when a listed file was deleted meanwhile (merges run in parallel). */
async function retryOnEnoent<R>(read: () => Promise<R>): Promise<R> {
  for (let i = 0; ; i++) {
    try {
      return await read();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || i > 20) throw err;
    }
  }
}

/** What a reader that ignores merge manifests would see. */
async function naiveIds(dir: string): Promise<number[]> {
  return retryOnEnoent(() => naiveIdsOnce(dir));
}

async function naiveIdsOnce(dir: string): Promise<number[]> {
  const { visible } = await walk(dir);
  const { readFile } = await import('node:fs/promises');
  const ids: number[] = [];
  for (const f of visible) for (const l of (await readFile(join(dir, f), 'utf8')).split('\n')) if (l) ids.push((JSON.parse(l) as Ev).id);
  return ids.sort((a, b) => a - b);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('merging small files', () => {
  for (const crashAt of ['hidden-written', 'manifest-written', 'renamed', 'inputs-deleted'] as MergeStep[]) {
    it(`crash after "${crashAt}": readers never see duplicates or gaps, a restart finishes the merge`, async () => {
      const dir = await tempDir();
      const seen: Array<{ step: MergeStep; ids: number[]; naive: number[] }> = [];
      let crash = true;
      const sink = bucketedFileSink<Ev>({
        storage: dir,
        streamOf: (e) => e.stream,
        timestampOf: (e) => e.ts,
        merge: { targetBytes: 350 }, // about four parts of two ~42-byte records
        mergeHook: async (step) => {
          seen.push({ step, ids: await visibleIds(dir), naive: await naiveIds(dir) });
          if (crash && step === crashAt) throw new Error('injected crash');
        },
      });
      const ctx = sinkContext();
      const committer = await sink.createCommitter(ctx);
      const writer = await sink.createWriter(ctx);
      let id = 0;
      // ten checkpoints, each publishing one small part of the same partition
      for (let cp = 1; cp <= 10; cp++) {
        await writer.write(
          range(2).map(() => ({ stream: 'a', id: id++, ts: T0 + id })),
          [],
        );
        await committer.commit(cp, await writer.prepareCommit(cp));
      }
      expect((await readdir(join(dir, PART))).filter((n) => n.endsWith('.jsonl'))).toHaveLength(10);
      // the last records and the watermark passing the hour: merge on the way to "ready"
      await writer.write([{ stream: 'a', id: id++, ts: T0 + 5 }], []);
      await writer.onWatermark!(T0 + HOUR);
      const c11 = await writer.prepareCommit(11);
      const expected = range(id);
      await expect(committer.commit(11, c11)).rejects.toThrow('injected crash');
      // checkpoint 11's own part is merged without ever being published: it appears with the merged file
      const before = range(id - 1);
      const isBeforeOrAfter = (ids: number[], what: string) => expect([before, expected], what).toContainEqual(ids);
      for (const s of seen) isBeforeOrAfter(s.ids, `after ${s.step}`);
      // why the manifest: a naive listing between rename and delete sees both
      if (crashAt === 'renamed' || crashAt === 'inputs-deleted') expect(seen.some((s) => s.naive.length > expected.length)).toBe(true);
      isBeforeOrAfter(await visibleIds(dir), 'after the crash');

      // restart from checkpoint 11: re-commit (idempotent redo), clean leftovers
      crash = false;
      seen.length = 0;
      const ctx2 = sinkContext({ restoredCheckpointId: 11, nextCheckpointId: 12 });
      const committer2 = await sink.createCommitter(ctx2);
      await committer2.commit(11, c11);
      await sink.abortLeftovers!(ctx2, c11);
      for (const s of seen) isBeforeOrAfter(s.ids, `redo after ${s.step}`);
      const { visible, hidden } = await walk(dir);
      expect(hidden).toEqual([]);
      expect(await visibleIds(dir)).toEqual(expected);
      expect(await naiveIds(dir)).toEqual(expected);
      // 21 records of ~40 bytes: 11 inputs packed into files of at most ~4 parts
      const merged = visible.filter((f) => f.includes('-m'));
      expect(merged.length).toBe(3);
      expect(visible).toEqual(merged);
    });
  }

  it('continuous mode merges once enough small files gathered, while the partition is open', async () => {
    const dir = await tempDir();
    const sink = bucketedFileSink<Ev>({ storage: dir, streamOf: (e) => e.stream, timestampOf: (e) => e.ts, merge: { mode: 'continuous', minFiles: 3, targetBytes: 1 << 20 } });
    const ctx = sinkContext();
    const committer = await sink.createCommitter(ctx);
    const writer = await sink.createWriter(ctx);
    const counts: number[] = [];
    for (let cp = 1; cp <= 7; cp++) {
      await writer.write([{ stream: 'a', id: cp, ts: T0 + cp }], []);
      await committer.commit(cp, await writer.prepareCommit(cp));
      counts.push((await walk(dir)).visible.length);
    }
    // 1, 2, merge(3)->1, 2, merge(1+2 new)->1 ...
    expect(counts).toEqual([1, 2, 1, 2, 1, 2, 1]);
    expect(await visibleIds(dir)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('merge off keeps every part', async () => {
    const dir = await tempDir();
    const sink = bucketedFileSink<Ev>({ storage: dir, streamOf: (e) => e.stream, timestampOf: (e) => e.ts, merge: { mode: 'off' } });
    const ctx = sinkContext();
    const committer = await sink.createCommitter(ctx);
    const writer = await sink.createWriter(ctx);
    for (let cp = 1; cp <= 3; cp++) {
      await writer.write([{ stream: 'a', id: cp, ts: T0 + cp }], []);
      if (cp === 3) await writer.onWatermark!(T0 + HOUR);
      await committer.commit(cp, await writer.prepareCommit(cp));
    }
    expect((await walk(dir)).visible).toHaveLength(3);
  });
});
