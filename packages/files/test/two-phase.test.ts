import { describe, expect, it } from 'vitest';
import { bucketedFileSink, jsonLinesFormat, LocalFileStorage } from '../src/index.js';
import { allRecords, HOUR, readTable, sinkContext, T0, tempDir, walk } from './helpers.js';

interface Ev {
  stream: string;
  id: number;
  ts: number;
}

// bufferChars 1: every write reaches the disk, as a crash would find it
const sinkAt = (dir: string) => bucketedFileSink<Ev>({ storage: dir, streamOf: (e) => e.stream, timestampOf: (e) => e.ts, format: jsonLinesFormat({ bufferChars: 1 }) });

describe('two-phase commit', () => {
  it('parts stay hidden until the checkpoint commits, then are published by rename', async () => {
    const dir = await tempDir();
    const sink = sinkAt(dir);
    const ctx = sinkContext();
    const committer = await sink.createCommitter(ctx);
    const writer = await sink.createWriter(ctx);
    const evs: Ev[] = [
      { stream: 'orders', id: 1, ts: T0 + 10 },
      { stream: 'orders', id: 2, ts: T0 + HOUR + 10 },
      { stream: 'clicks', id: 3, ts: T0 + 20 },
    ];
    await writer.write(evs, []);
    let files = await walk(dir);
    expect(files.visible).toEqual([]);
    const committables = await writer.prepareCommit(1);
    files = await walk(dir);
    expect(files.visible).toEqual([]);
    expect(files.hidden).toEqual([
      'clicks/dt=2024-05-01/hour=00/.part-0-1-2.jsonl.pending',
      'orders/dt=2024-05-01/hour=00/.part-0-1-0.jsonl.pending',
      'orders/dt=2024-05-01/hour=01/.part-0-1-1.jsonl.pending',
    ]);
    await committer.commit(1, committables);
    await committer.commit(1, committables); // idempotent
    files = await walk(dir);
    expect(files.hidden).toEqual([]);
    expect(files.visible).toEqual(['clicks/dt=2024-05-01/hour=00/part-0-1-2.jsonl', 'orders/dt=2024-05-01/hour=00/part-0-1-0.jsonl', 'orders/dt=2024-05-01/hour=01/part-0-1-1.jsonl']);
    const table = await readTable<Ev>(dir);
    expect(table.get('orders/dt=2024-05-01/hour=01')).toEqual([evs[1]]);
    await writer.close();
  });

  it('restore publishes what the checkpoint recorded and deletes zombies of later attempts', async () => {
    const dir = await tempDir();
    const sink = sinkAt(dir);
    const ctx = sinkContext();
    await sink.createCommitter(ctx);
    const writer = await sink.createWriter(ctx);
    await writer.write([{ stream: 'a', id: 1, ts: T0 }], []);
    const c1 = await writer.prepareCommit(1);
    const s1 = writer.snapshotState!(1);
    // checkpoint 1 is durable, but the process dies before its commit ran; attempt goes on
    await writer.write([{ stream: 'a', id: 2, ts: T0 + 1 }], []);
    await writer.prepareCommit(2); // pending zombie of a checkpoint that never completes
    await writer.write([{ stream: 'b', id: 3, ts: T0 + 2 * HOUR }], []); // in-progress zombie
    // (a crash leaves files as they are: do not close the writer)
    const before = await walk(dir);
    expect(before.hidden).toHaveLength(3);

    // new attempt restored from checkpoint 1
    const ctx2 = sinkContext({ restoredCheckpointId: 1, nextCheckpointId: 3 });
    const committer2 = await sink.createCommitter(ctx2);
    await committer2.commit(1, c1);
    await sink.abortLeftovers!(ctx2, c1);
    const after = await walk(dir);
    expect(after.hidden).toEqual([]);
    expect(await allRecords<Ev>(dir)).toEqual([{ stream: 'a', id: 1, ts: T0 }]);
    const writer2 = await sink.createWriter(ctx2, s1);
    await writer2.write([{ stream: 'a', id: 2, ts: T0 + 1 }], []);
    await committer2.commit(3, await writer2.prepareCommit(3));
    expect((await allRecords<Ev>(dir)).map((e) => e.id).sort()).toEqual([1, 2]);
  });

  it('rolls parts by size between checkpoints', async () => {
    const dir = await tempDir();
    const sink = bucketedFileSink<Ev>({ storage: dir, streamOf: (e) => e.stream, timestampOf: (e) => e.ts, maxPartBytes: 1000, merge: { mode: 'off' } });
    const ctx = sinkContext();
    const committer = await sink.createCommitter(ctx);
    const writer = await sink.createWriter(ctx);
    for (let i = 0; i < 100; i++) await writer.write([{ stream: 'a', id: i, ts: T0 + i }], []);
    expect((await walk(dir)).hidden.filter((f) => f.endsWith('.pending')).length).toBeGreaterThanOrEqual(3);
    await committer.commit(1, await writer.prepareCommit(1));
    const { visible } = await walk(dir);
    expect(visible.length).toBeGreaterThanOrEqual(4);
    expect((await allRecords<Ev>(dir)).map((e) => e.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('rolls parts by age, checked when the watermark moves', async () => {
    const dir = await tempDir();
    const sink = bucketedFileSink<Ev>({ storage: dir, streamOf: (e) => e.stream, timestampOf: (e) => e.ts, rolloverMs: 20, format: jsonLinesFormat({ bufferChars: 1 }) });
    const ctx = sinkContext();
    await sink.createCommitter(ctx);
    const writer = await sink.createWriter(ctx);
    await writer.write([{ stream: 'a', id: 1, ts: T0 }], []);
    await writer.onWatermark!(T0 + 1);
    expect((await walk(dir)).hidden).toEqual(['a/dt=2024-05-01/hour=00/.part-0-1-0.jsonl.inprogress']);
    await new Promise((r) => setTimeout(r, 30));
    await writer.onWatermark!(T0 + 2);
    expect((await walk(dir)).hidden).toEqual(['a/dt=2024-05-01/hour=00/.part-0-1-0.jsonl.pending']);
  });

  it('closes 200 buckets in parallel at a barrier', async () => {
    const dir = await tempDir();
    const storage = new LocalFileStorage(dir);
    let inFlight = 0;
    let maxInFlight = 0;
    // count concurrent renames to prove the bound and the parallelism
    const counting = Object.create(storage) as LocalFileStorage;
    counting.rename = async (from, to) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        await storage.rename(from, to);
      } finally {
        inFlight--;
      }
    };
    const sink = bucketedFileSink<Ev>({ storage: counting, streamOf: (e) => e.stream, timestampOf: (e) => e.ts, concurrency: 16 });
    const ctx = sinkContext();
    const committer = await sink.createCommitter(ctx);
    const writer = await sink.createWriter(ctx);
    const evs: Ev[] = [];
    for (let i = 0; i < 20_000; i++) evs.push({ stream: `s${i % 200}`, id: i, ts: T0 + (i % 7) * 1000 });
    await writer.write(evs, []);
    const t0 = performance.now();
    const c = await writer.prepareCommit(1);
    const closeMs = performance.now() - t0;
    expect((await walk(dir)).hidden).toHaveLength(200);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(16);
    await committer.commit(1, c);
    const { visible, hidden } = await walk(dir);
    expect(hidden).toEqual([]);
    expect(visible).toHaveLength(200);
    expect((await allRecords<Ev>(dir)).length).toBe(20_000);
    console.log(`closed 200 buckets in ${closeMs.toFixed(0)} ms (max ${maxInFlight} renames in flight)`);
  });
});
