import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { MetricsRegistry } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { bucketedFileSink, callbackPolicy, kafkaNotificationPolicy, LocalFileStorage, listCommittedFiles, successFilePolicy, webhookPolicy, type BucketedFileSinkOptions, type ReadyPartition } from '../src/index.js';
import { HOUR, sinkContext, T0, tempDir, walk } from './helpers.js';

interface Ev {
  stream: string;
  id: number;
  ts: number;
}

const MIN = 60_000;

/** A sink driven by hand, with a notification log and a readiness check inside the policy. */
async function harness(dir: string, extra: Partial<BucketedFileSinkOptions<Ev>> = {}, failOnce?: (p: ReadyPartition) => boolean) {
  const notes: ReadyPartition[] = [];
  const storage = new LocalFileStorage(dir);
  const failed = new Set<string>();
  const record = callbackPolicy('log', async (p) => {
    // ready means: committed, merged, no zombies, files as a reader lists them
    const names = await readdir(join(dir, p.dir));
    expect(names.filter((n) => n.startsWith('.') || n.startsWith('_merge'))).toEqual([]);
    expect(p.files).toEqual(await listCommittedFiles(storage, p.dir));
    const key = `${p.stream}/${p.partition}`;
    if (failOnce?.(p) && !failed.has(key)) {
      failed.add(key);
      throw new Error(`injected failure announcing ${key}`);
    }
    notes.push(p);
  });
  const sink = bucketedFileSink<Ev>({
    storage: dir,
    streamOf: (e) => e.stream,
    timestampOf: (e) => e.ts,
    readiness: { delayMs: 5 * MIN, streams: ['audit'], policies: [successFilePolicy(), record] },
    ...extra,
  });
  const ctx = sinkContext();
  const committer = await sink.createCommitter(ctx);
  const writer = await sink.createWriter(ctx);
  return { sink, committer, writer, notes };
}

const summary = (notes: ReadyPartition[]) => notes.map((n) => `${n.stream} ${n.partition} v${n.version} in=${n.recordsIn} out=${n.recordsOut} dead=${n.deadLetters}`);

describe('partition committer', () => {
  it('announces partitions per stream in hour order once the watermark passed end + delay, empty ones too', async () => {
    const dir = await tempDir();
    const metrics = new MetricsRegistry();
    const { committer, writer, notes } = await harness(dir, { metrics, merge: { targetBytes: 1 << 20 } });
    await writer.write(
      [
        { stream: 'orders', id: 1, ts: T0 + 1 * MIN },
        { stream: 'orders', id: 2, ts: T0 + 2 * MIN },
        { stream: 'clicks', id: 3, ts: T0 + 3 * MIN },
      ],
      [],
    );
    await writer.onWatermark!(T0 + 30 * MIN);
    await committer.commit(1, await writer.prepareCommit(1));
    await writer.write([{ stream: 'orders', id: 4, ts: T0 + 40 * MIN }], []);
    await writer.onWatermark!(T0 + HOUR + 4 * MIN); // hour 0 ended, but the delay has not passed
    await committer.commit(2, await writer.prepareCommit(2));
    expect(notes).toEqual([]);
    await writer.write([{ stream: 'orders', id: 5, ts: T0 + 2 * HOUR + 1 * MIN }], []);
    await writer.onWatermark!(T0 + 2 * HOUR + 5 * MIN); // hours 0 and 1 ready, hour 2 open
    const c3 = await writer.prepareCommit(3);
    await committer.commit(3, c3);
    const byStream = (s: string) => summary(notes.filter((n) => n.stream === s));
    expect(byStream('orders')).toEqual(['orders dt=2024-05-01/hour=00 v1 in=3 out=3 dead=0', 'orders dt=2024-05-01/hour=01 v1 in=0 out=0 dead=0']);
    expect(byStream('clicks')).toEqual(['clicks dt=2024-05-01/hour=00 v1 in=1 out=1 dead=0', 'clicks dt=2024-05-01/hour=01 v1 in=0 out=0 dead=0']);
    // a configured stream without any data still gets its (empty) partitions
    expect(byStream('audit')).toEqual(['audit dt=2024-05-01/hour=00 v1 in=0 out=0 dead=0', 'audit dt=2024-05-01/hour=01 v1 in=0 out=0 dead=0']);
    const h0 = notes.find((n) => n.stream === 'orders' && n.partition.endsWith('00'))!;
    expect(h0.files).toHaveLength(1); // two checkpoints' parts were merged before the announcement
    expect([h0.minEventTime, h0.maxEventTime]).toEqual([T0 + MIN, T0 + 40 * MIN]);
    const empty = notes.find((n) => n.stream === 'audit')!;
    expect(empty.files).toEqual([]);
    expect([empty.minEventTime, empty.maxEventTime]).toEqual([null, null]);
    const { dirs } = await walk(dir);
    for (const n of notes) {
      expect(dirs).toContain(n.dir);
      expect(JSON.parse(await readFile(join(dir, n.dir, '_SUCCESS'), 'utf8'))).toMatchObject({ stream: n.stream, partition: n.partition, recordCount: n.recordsOut });
    }
    expect(dirs).not.toContain('orders/dt=2024-05-01/hour=02/_SUCCESS');
    // redoing the commit (restore) announces nothing twice
    const before = notes.length;
    await committer.commit(3, c3);
    await committer.commit(4, await writer.prepareCommit(4));
    expect(notes.length).toBe(before);
    const prom = await metrics.prometheus();
    expect(prom).toContain('weir_files_partition_records_out_total{sink="files",stream="orders"} 3');
    expect(prom).toContain('weir_files_partitions_announced_total{sink="files",stream="audit"} 2');
    // late records (hour 0 closed), counted per stream for the batch
    await writer.write(
      [
        { stream: 'orders', id: 6, ts: T0 + 3 * MIN },
        { stream: 'clicks', id: 7, ts: T0 + 4 * MIN },
        { stream: 'orders', id: 8, ts: T0 + 5 * MIN },
      ],
      [],
    );
    const late = await metrics.prometheus();
    expect(late).toContain('weir_files_late_records_total{sink="files",stream="orders"} 2');
    expect(late).toContain('weir_files_late_records_total{sink="files",stream="clicks"} 1');
  });

  it('a crash in the middle of announcing resumes in order without repeating announcements', async () => {
    const dir = await tempDir();
    const { sink, committer, writer, notes } = await harness(dir, {}, (p) => p.stream === 'orders' && p.partition.endsWith('hour=02'));
    for (let h = 0; h < 4; h++) await writer.write([{ stream: 'orders', id: h, ts: T0 + h * HOUR }], []);
    await writer.onWatermark!(T0 + 4 * HOUR);
    const c1 = await writer.prepareCommit(1);
    const s1 = writer.snapshotState!(1);
    await expect(committer.commit(1, c1)).rejects.toThrow('injected failure');
    // restart from checkpoint 1: the commit is redone
    const ctx2 = sinkContext({ restoredCheckpointId: 1, nextCheckpointId: 2 });
    const committer2 = await sink.createCommitter(ctx2);
    await committer2.commit(1, c1);
    await sink.abortLeftovers!(ctx2, c1);
    const writer2 = await sink.createWriter(ctx2, s1);
    await committer2.commit(2, await writer2.prepareCommit(2));
    expect(summary(notes.filter((n) => n.stream === 'orders'))).toEqual([0, 1, 2].map((h) => `orders dt=2024-05-01/hour=0${h} v1 in=1 out=1 dead=0`));
    expect(summary(notes.filter((n) => n.stream === 'audit'))).toHaveLength(3);
  });

  for (const withLookup of [true, false]) {
    it(`a crash after a notification went out but before its marker: ${withLookup ? 'the lookup prevents a re-send' : 'sent again (at-least-once)'}`, async () => {
      const dir = await tempDir();
      const sent: string[] = [];
      let crashOnce = true;
      const policy = kafkaNotificationPolicy({
        topic: 'ready',
        publish: async (records) => {
          sent.push(...records.map((r) => r.key));
          if (crashOnce && records[0]!.key.endsWith('hour=01')) {
            crashOnce = false;
            throw new Error('process died right after the send');
          }
        },
        wasPublished: withLookup ? async (r) => sent.includes(r.key) : undefined,
      });
      const sink = bucketedFileSink<Ev>({ storage: dir, streamOf: (e) => e.stream, timestampOf: (e) => e.ts, readiness: { policies: [policy] } });
      const ctx = sinkContext();
      const committer = await sink.createCommitter(ctx);
      const writer = await sink.createWriter(ctx);
      for (let h = 0; h < 3; h++) await writer.write([{ stream: 'orders', id: h, ts: T0 + h * HOUR }], []);
      await writer.onWatermark!(T0 + 3 * HOUR);
      const c1 = await writer.prepareCommit(1);
      await expect(committer.commit(1, c1)).rejects.toThrow('process died');
      const ctx2 = sinkContext({ restoredCheckpointId: 1, nextCheckpointId: 2 });
      await (await sink.createCommitter(ctx2)).commit(1, c1);
      const expected = ['orders/dt=2024-05-01/hour=00', 'orders/dt=2024-05-01/hour=01', 'orders/dt=2024-05-01/hour=02'];
      expect(sent).toEqual(withLookup ? expected : [expected[0], expected[1], expected[1], expected[2]]);
    });
  }

  it('forgets counts and policy markers once a partition is older than the retention', async () => {
    const dir = await tempDir();
    const { committer, writer, notes } = await harness(dir, { readiness: { retainMs: HOUR, policies: [callbackPolicy('log', () => undefined)] } });
    await writer.write([{ stream: 'orders', id: 1, ts: T0 + MIN }], []);
    await writer.onWatermark!(T0 + HOUR);
    await committer.commit(1, await writer.prepareCommit(1));
    const markers = join(dir, '_weir/files/announced/orders/dt=2024-05-01/hour=00');
    expect((await readdir(markers)).sort()).toEqual(['v1.log.done', 'v1.log.intent']);
    await writer.onWatermark!(T0 + 3 * HOUR);
    const c2 = await writer.prepareCommit(2);
    await committer.commit(2, c2);
    expect(await readdir(markers)).toEqual([]);
    expect(notes).toEqual([]); // (the harness log policy was replaced)
    const state = writer.snapshotState!(2) as { partitions: Array<{ path: string }> };
    // hour 0 closed at checkpoint 1 and is past the retention: its counts left the checkpoint
    expect(state.partitions.map((p) => p.path)).toEqual([]);
  });

  it('waits while a partition holds a hidden part file (e.g. a zombie of another writer), keeps hour order', async () => {
    const dir = await tempDir();
    const { committer, writer, notes } = await harness(dir);
    for (let h = 0; h < 3; h++) await writer.write([{ stream: 'orders', id: h, ts: T0 + h * HOUR }], []);
    const zombie = join(dir, 'orders/dt=2024-05-01/hour=01/.part-1-7-0.jsonl.inprogress');
    await mkdir(join(dir, 'orders/dt=2024-05-01/hour=01'), { recursive: true });
    await writeFile(zombie, '{"id":99}\n');
    await writer.onWatermark!(T0 + 3 * HOUR + 5 * MIN);
    await committer.commit(1, await writer.prepareCommit(1));
    // hour 2 is ready too, but waits behind hour 1
    expect(summary(notes.filter((n) => n.stream === 'orders'))).toEqual(['orders dt=2024-05-01/hour=00 v1 in=1 out=1 dead=0']);
    await rm(zombie);
    await committer.commit(2, await writer.prepareCommit(2));
    expect(notes.filter((n) => n.stream === 'orders').map((n) => n.partition)).toEqual(['dt=2024-05-01/hour=00', 'dt=2024-05-01/hour=01', 'dt=2024-05-01/hour=02']);
  });

  it('late data to a side output: counted as dead letters of the partition', async () => {
    const dir = await tempDir();
    const late: Ev[] = [];
    const { committer, writer, notes } = await harness(dir, { late: { mode: 'side-output', onLate: (records) => late.push(...records) } });
    await writer.write([{ stream: 'orders', id: 1, ts: T0 + MIN }], []);
    await writer.onWatermark!(T0 + HOUR + 10 * MIN);
    await writer.write([{ stream: 'orders', id: 2, ts: T0 + 2 * MIN }], []); // late: hour 0 closed
    await committer.commit(1, await writer.prepareCommit(1));
    await writer.write([{ stream: 'orders', id: 3, ts: T0 + 3 * MIN }], []); // late after the announcement
    await committer.commit(2, await writer.prepareCommit(2));
    expect(late.map((e) => e.id)).toEqual([2, 3]);
    expect(summary(notes.filter((n) => n.stream === 'orders'))).toEqual(['orders dt=2024-05-01/hour=00 v1 in=2 out=1 dead=1']);
    expect((await walk(dir)).visible).toHaveLength(1);
  });

  it('late data appended: the partition is announced again with a new version', async () => {
    const dir = await tempDir();
    const { committer, writer, notes } = await harness(dir, { late: { mode: 'reannounce' } });
    await writer.write([{ stream: 'orders', id: 1, ts: T0 + MIN }], []);
    await writer.onWatermark!(T0 + HOUR + 10 * MIN);
    await committer.commit(1, await writer.prepareCommit(1));
    await writer.write([{ stream: 'orders', id: 2, ts: T0 + 2 * MIN }], []);
    await committer.commit(2, await writer.prepareCommit(2));
    await committer.commit(3, await writer.prepareCommit(3)); // nothing new: no third announcement
    expect(summary(notes.filter((n) => n.stream === 'orders'))).toEqual(['orders dt=2024-05-01/hour=00 v1 in=1 out=1 dead=0', 'orders dt=2024-05-01/hour=00 v2 in=2 out=2 dead=0']);
    const v2 = notes.find((n) => n.version === 2)!;
    expect(v2.files).toHaveLength(1); // the late part was merged with the first one
    expect((await readFile(join(dir, v2.dir, v2.files[0]!), 'utf8')).trim().split('\n')).toHaveLength(2);
  });

  it('late data into a partition announced empty: announced again with the data', async () => {
    const dir = await tempDir();
    const { committer, writer, notes } = await harness(dir, { late: { mode: 'reannounce' } });
    await writer.write([{ stream: 'orders', id: 1, ts: T0 + MIN }], []);
    await writer.onWatermark!(T0 + 2 * HOUR + 10 * MIN);
    await committer.commit(1, await writer.prepareCommit(1));
    await writer.write([{ stream: 'orders', id: 2, ts: T0 + HOUR + MIN }], []); // hour 1 was announced empty
    await committer.commit(2, await writer.prepareCommit(2));
    expect(summary(notes.filter((n) => n.stream === 'orders'))).toEqual([
      'orders dt=2024-05-01/hour=00 v1 in=1 out=1 dead=0',
      'orders dt=2024-05-01/hour=01 v1 in=0 out=0 dead=0',
      'orders dt=2024-05-01/hour=01 v2 in=1 out=1 dead=0',
    ]);
  });

  it('with two writers, subtask 0 announces once both watermarks passed and sums their counts', async () => {
    const dir = await tempDir();
    const notes: ReadyPartition[] = [];
    const sink = bucketedFileSink<Ev>({ storage: dir, streamOf: (e) => e.stream, timestampOf: (e) => e.ts, readiness: { policies: [callbackPolicy('log', (p) => void notes.push(p))] } });
    const ctx0 = sinkContext({ parallelism: 2 });
    const ctx1 = sinkContext({ parallelism: 2, subtask: 1 });
    const [c0, c1] = [await sink.createCommitter(ctx0), await sink.createCommitter(ctx1)];
    const [w0, w1] = [await sink.createWriter(ctx0), await sink.createWriter(ctx1)];
    await w0.write([{ stream: 'orders', id: 1, ts: T0 + MIN }], []);
    await w1.write([{ stream: 'orders', id: 2, ts: T0 + 2 * MIN }], []);
    await w0.onWatermark!(T0 + 2 * HOUR);
    await w1.onWatermark!(T0 + 30 * MIN);
    await c1.commit(1, await w1.prepareCommit(1));
    await c0.commit(1, await w0.prepareCommit(1));
    expect(notes).toEqual([]); // subtask 1 holds event time back
    await w1.onWatermark!(T0 + HOUR);
    await c1.commit(2, await w1.prepareCommit(2));
    await c0.commit(2, await w0.prepareCommit(2));
    expect(summary(notes)).toEqual(['orders dt=2024-05-01/hour=00 v1 in=2 out=2 dead=0']);
    expect(notes[0]!.files).toEqual(['part-0-1-0.jsonl', 'part-1-1-0.jsonl']);
  });

  it('webhook: POSTs the notification JSON, retried after failures', async () => {
    const bodies: Array<Record<string, unknown>> = [];
    let calls = 0;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        calls++;
        if (calls === 1) {
          res.writeHead(503).end();
          return;
        }
        bodies.push({ ...(JSON.parse(body) as Record<string, unknown>), key: req.headers['idempotency-key'] });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const dir = await tempDir();
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ready`;
      const sink = bucketedFileSink<Ev>({ storage: dir, streamOf: (e) => e.stream, timestampOf: (e) => e.ts, readiness: { policies: [webhookPolicy({ url, backoffMs: 10 })] } });
      const ctx = sinkContext();
      const committer = await sink.createCommitter(ctx);
      const writer = await sink.createWriter(ctx);
      await writer.write([{ stream: 'orders', id: 1, ts: T0 + MIN }], []);
      await writer.onWatermark!(T0 + HOUR);
      await committer.commit(1, await writer.prepareCommit(1));
      expect(calls).toBe(2);
      expect(bodies).toEqual([
        expect.objectContaining({ stream: 'orders', partition: 'dt=2024-05-01/hour=00', recordCount: 1, files: ['part-0-1-0.jsonl'], key: 'orders/dt=2024-05-01/hour=00/v1' }),
      ]);
    } finally {
      server.close();
    }
  });
});
