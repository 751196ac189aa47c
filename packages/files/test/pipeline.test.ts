import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Pipeline, RestartStrategies, WatermarkStrategies, generatorSource, silentLogger } from '@weir/core';
import { testCluster } from '@weir/embedded-kafka';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { bucketedFileSink, callbackPolicy, kafkaNotificationPolicy, successFilePolicy, TimeBuckets, type ReadyPartition } from '../src/index.js';
import { readTable, T0, tempDir, walk } from './helpers.js';

interface Ev {
  stream: string;
  id: number;
  ts: number;
}

const SPLITS = 2;
const PER_SPLIT = 3000;
const STREAMS = 5;
const ev = (s: number, o: number): Ev => ({ stream: `s${(s * 7 + o) % STREAMS}`, id: s * 1_000_000 + o, ts: T0 + o * 5_000 + s });

describe('in a running pipeline', () => {
  it('failures in the commit phase (a merge step, a policy) restart the job in-process: nothing lost, nothing announced twice', async () => {
    const dir = await tempDir();
    const notes: string[] = [];
    let mergeFailures = 0;
    let policyFailures = 0;
    const p = new Pipeline({ name: 'files-restarts', checkpoints: { dir: await tempDir(), intervalMs: 60 }, logger: silentLogger, restart: RestartStrategies.fixedDelay({ maxAttempts: 10, delayMs: 10 }) });
    // failures happen early (first merges, hour 0): a commit failing while the input ends is
    // reported as finished by the runtime (JobRuntime.finish does not re-check the failure)
    p.source('events', generatorSource({ splits: 2, recordsPerSplit: 4000, ratePerSecond: 4000, batchSize: 100, generate: ev }), {
      watermarks: WatermarkStrategies.forMonotonousTimestamps<Ev>((e) => e.ts),
    }).sink(
      'files',
      bucketedFileSink<Ev>({
        storage: dir,
        streamOf: (e) => e.stream,
        merge: { mode: 'continuous', minFiles: 3 },
        mergeHook: (step) => {
          if (step === 'renamed' && mergeFailures < 2) {
            mergeFailures++;
            throw new Error('injected merge failure');
          }
        },
        readiness: {
          policies: [
            successFilePolicy(),
            callbackPolicy('log', (n) => {
              if (n.partition.endsWith('hour=00') && policyFailures < 2) {
                policyFailures++;
                throw new Error('injected policy failure');
              }
              notes.push(`${n.stream}/${n.partition}`);
            }),
          ],
        },
      }),
    );
    const result = await p.run();
    expect(result.outcome).toBe('finished');
    expect(result.restarts).toBeGreaterThanOrEqual(1); // parallel merges / streams can fail in the same commit
    expect([mergeFailures, policyFailures]).toEqual([2, 2]);
    const table = await readTable<Ev>(dir);
    const ids = [...table.values()].flat().map((e) => e.id);
    expect(ids.length).toBe(2 * 4000);
    expect(new Set(ids).size).toBe(ids.length);
    expect((await walk(dir)).hidden).toEqual([]);
    expect(notes.length).toBe(new Set(notes).size);
    expect(new Set(notes)).toEqual(new Set(table.keys()));
  });

  it('two instances (subtask 0 and 1) write one table; subtask 0 announces every partition once, also at the end of input', async () => {
    const dir = await tempDir();
    const notes: ReadyPartition[] = [];
    const run = async (subtask: number, rate: number) => {
      const p = new Pipeline({ name: 'files-p2', subtask, parallelism: 2, checkpoints: { dir: await tempDir(), intervalMs: 80 }, logger: silentLogger });
      p.source('events', generatorSource({ splits: 4, recordsPerSplit: 1500, ratePerSecond: rate, batchSize: 100, generate: ev }), {
        watermarks: WatermarkStrategies.forMonotonousTimestamps<Ev>((e) => e.ts),
      }).sink('files', bucketedFileSink<Ev>({ storage: dir, streamOf: (e) => e.stream, readiness: { policies: [successFilePolicy(), callbackPolicy('log', (n) => void notes.push(n))] } }));
      return p.run();
    };
    // subtask 1 is slower: subtask 0 reaches the end first and waits for it in its final commit
    const [r0, r1] = await Promise.all([run(0, 6000), run(1, 2500)]);
    expect([r0.outcome, r1.outcome]).toEqual(['finished', 'finished']);
    const table = await readTable<Ev>(dir);
    const ids = [...table.values()].flat().map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(4 * 1500);
    expect((await walk(dir)).hidden).toEqual([]);
    const announced = notes.map((n) => `${n.stream}/${n.partition}`);
    expect(announced.length).toBe(new Set(announced).size);
    expect(new Set(announced)).toEqual(new Set(table.keys()));
    for (const n of notes) expect(n.recordsOut).toBe(table.get(`${n.stream}/${n.partition}`)!.length);
    // both writers' files, one merged file per writer and partition
    expect(notes.every((n) => n.files.length <= 2)).toBe(true);
    expect(notes.some((n) => n.files.some((f) => f.startsWith('part-1-')))).toBe(true);
  });

  it('buckets by event time in a zone, commits at checkpoints, merges and announces every partition once (Kafka notifications)', async () => {
    const cluster = await testCluster();
    const kafka = new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING });
    const topic = `partitions-ready-${Date.now()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    try {
      const dir = await tempDir();
      const chk = await tempDir();
      const notes: ReadyPartition[] = [];
      let mergesDone = 0;
      const p = new Pipeline({ name: 'files-test', checkpoints: { dir: chk, intervalMs: 100 }, logger: silentLogger });
      p.source('events', generatorSource({ splits: SPLITS, recordsPerSplit: PER_SPLIT, ratePerSecond: 4000, batchSize: 200, generate: ev }), {
        watermarks: WatermarkStrategies.forMonotonousTimestamps<Ev>((e) => e.ts),
      }).sink(
        'files',
        bucketedFileSink<Ev>({
          storage: dir,
          streamOf: (e) => e.stream,
          timeZone: 'Europe/Berlin',
          readiness: {
            policies: [
              successFilePolicy(),
              kafkaNotificationPolicy({ topic, producer }),
              callbackPolicy('log', (n) => void notes.push(n)),
            ],
          },
          mergeHook: (step) => void (step === 'done' && mergesDone++),
        }),
      );
      const result = await p.run();
      expect(result.outcome).toBe('finished');

      // exactly once, each record in the partition of its local (Berlin) hour
      const buckets = new TimeBuckets('dt=YYYY-MM-DD/hour=HH', 'Europe/Berlin');
      const table = await readTable<Ev>(dir);
      const ids = new Set<number>();
      for (const [partDir, rows] of table) {
        for (const r of rows) {
          expect(ids.has(r.id)).toBe(false);
          ids.add(r.id);
          expect(partDir).toBe(`${r.stream}/${buckets.pathOf(r.ts)}`);
        }
      }
      expect(ids.size).toBe(SPLITS * PER_SPLIT);
      expect([...table.keys()][0]).toMatch(/dt=2024-05-01\/hour=02$/); // UTC+2
      const { hidden, visible } = await walk(dir);
      expect(hidden).toEqual([]);
      // parts of several checkpoints were merged: one file per partition
      expect(mergesDone).toBeGreaterThan(0);
      expect(visible.length).toBe(table.size);

      // every partition announced once, per stream in hour order, after its data
      const announced = notes.map((n) => `${n.stream}/${n.partition}`);
      expect(new Set(announced).size).toBe(announced.length);
      expect(new Set(announced)).toEqual(new Set(table.keys()));
      for (let s = 0; s < STREAMS; s++) {
        const mine = notes.filter((n) => n.stream === `s${s}`).map((n) => n.start);
        expect(mine).toEqual([...mine].sort((a, b) => a - b));
      }
      for (const n of notes) {
        expect(n.recordsOut).toBe(table.get(`${n.stream}/${n.partition}`)!.length);
        expect(JSON.parse(await readFile(join(dir, n.dir, '_SUCCESS'), 'utf8')).recordCount).toBe(n.recordsOut);
      }

      // the same notifications on the Kafka topic
      const consumer = kafka.consumer({ groupId: `g-${topic}` });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const got: Array<{ key: string; value: { stream: string; partition: string; recordCount: number; files: string[] } }> = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${got.length} notifications`)), 20_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            got.push({ key: message.key!.toString(), value: JSON.parse(message.value!.toString()) });
            if (got.length >= notes.length) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
      await consumer.disconnect();
      // streams are announced concurrently: compare per stream (hour order) and as a whole
      expect(got.map((g) => g.key).sort()).toEqual([...announced].sort());
      for (let s = 0; s < STREAMS; s++) {
        const inKafka = got.filter((g) => g.value.stream === `s${s}`).map((g) => g.value.partition);
        expect(inKafka).toEqual(notes.filter((n) => n.stream === `s${s}`).map((n) => n.partition));
      }
      const counts = new Map(notes.map((n) => [`${n.stream}/${n.partition}`, n.recordsOut]));
      for (const g of got) expect(g.value.recordCount).toBe(counts.get(g.key));
    } finally {
      await producer.disconnect();
      await cluster.stop();
    }
  }, 60_000);
});
