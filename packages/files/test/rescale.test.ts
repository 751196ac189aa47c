import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Pipeline, WatermarkStrategies, silentLogger, type Job, type SinkWriter, type PollResult, type Source, type SourceReader, type SourceSplit, type SplitEnumerator, type SplitEnumeratorContext } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { bucketedFileSink, callbackPolicy, successFilePolicy, TimeBuckets, type ReadyPartition } from '../src/index.js';
import { HOUR, readTable, sinkContext, T0, tempDir } from './helpers.js';

interface Ev {
  stream: string;
  id: number;
  ts: number;
}

interface LogSplit extends SourceSplit {
  readonly index: number;
  readonly offset: number;
}

const SPLITS = 6;
const STREAMS = ['a', 'b'];
const MIN = 60_000;

/**
 * Replayable logs, one per split (like Kafka partitions): split i belongs to instance
 * i mod parallelism, so a rescale moves splits (with their positions) between instances. The
 * input ends (splits finish) once `end()` was called and every log was read.
 */
class SplitLogs implements Source<Ev, LogSplit, null> {
  readonly boundedness = 'bounded' as const;
  readonly logs = Array.from({ length: SPLITS }, () => [] as Ev[]);
  private ended = false;

  append(split: number, events: Ev[]): void {
    this.logs[split]!.push(...events);
  }

  end(): void {
    this.ended = true;
  }

  createEnumerator(ctx: SplitEnumeratorContext<LogSplit>, restored?: { state: null; assigned: LogSplit[] }): SplitEnumerator<LogSplit, null> {
    const owns = (i: number) => i % ctx.parallelism === ctx.subtask;
    return {
      start: async () => {
        const held = new Set((restored?.assigned ?? []).map((s) => s.index));
        ctx.removeSplits((restored?.assigned ?? []).filter((s) => !owns(s.index)).map((s) => s.id));
        const fresh: LogSplit[] = [];
        for (let i = 0; i < SPLITS; i++) if (owns(i) && !held.has(i)) fresh.push({ id: `s${i}`, index: i, offset: 0 });
        ctx.assignSplits(fresh);
        ctx.signalNoMoreSplits();
      },
      addSplitsBack: (splits) => ctx.assignSplits(splits),
      snapshotState: () => null,
      close: async () => undefined,
    };
  }

  createReader(): SourceReader<Ev, LogSplit> {
    const offsets = new Map<string, { index: number; offset: number }>();
    let wake: (() => void) | undefined;
    return {
      start: async () => undefined,
      addSplits: (splits) => {
        for (const s of splits) offsets.set(s.id, { index: s.index, offset: s.offset });
      },
      removeSplits: (ids) => {
        for (const id of ids) offsets.delete(id);
      },
      poll: async (maxWaitMs): Promise<PollResult<Ev, LogSplit>> => {
        const batches = [];
        const finishedSplits: string[] = [];
        for (const [id, pos] of offsets) {
          const log = this.logs[pos.index]!;
          if (pos.offset >= log.length) {
            if (this.ended) finishedSplits.push(id);
            continue;
          }
          const records = log.slice(pos.offset, pos.offset + 40);
          pos.offset += records.length;
          batches.push({ splitId: id, records, splitState: { id, index: pos.index, offset: pos.offset } });
        }
        for (const id of finishedSplits) offsets.delete(id);
        if (batches.length === 0 && finishedSplits.length === 0) await new Promise<void>((r) => ((wake = r), setTimeout(r, Math.min(maxWaitMs, 20))));
        return { batches, finishedSplits };
      },
      wakeup: () => wake?.(),
      pauseSplits: () => undefined,
      resumeSplits: () => undefined,
      close: async () => undefined,
    };
  }
}

/**
 * Phase `phase` of the input: every split gets events of both streams over a time range that
 * depends on the split, so the instances' watermarks differ when a savepoint is taken (slow
 * splits are hours behind fast ones) and splits that move carry data older than the watermark
 * of the instance they move to.
 */
function phaseEvents(phase: number, split: number): Ev[] {
  const lag = (split % 3) * HOUR; // splits 0, 3 are on time, 1, 4 one hour behind, 2, 5 two
  const from = T0 + 2 * HOUR + phase * 2 * HOUR - lag;
  const out: Ev[] = [];
  for (let k = 0; k < 60; k++) {
    const ts = from + k * 2 * MIN; // two hours per phase
    out.push({ stream: STREAMS[(split + k) % STREAMS.length]!, id: phase * 1_000_000 + split * 1_000 + k, ts });
  }
  return out;
}

function start(source: SplitLogs, dir: string, checkpoints: string, notes: ReadyPartition[], subtask: number, parallelism: number, restoreFrom?: string[]): Job {
  const p = new Pipeline({
    name: 'files-rescale',
    subtask,
    parallelism,
    checkpoints: { dir: checkpoints, intervalMs: 40 },
    logger: silentLogger,
    restart: { kind: 'none' },
    pollTimeoutMs: 20,
    ...(restoreFrom ? { restoreFrom } : {}),
  });
  p.source('events', source, { watermarks: WatermarkStrategies.forMonotonousTimestamps<Ev>((e) => e.ts) }).sink(
    'files',
    bucketedFileSink<Ev>({
      storage: dir,
      streamOf: (e) => e.stream,
      readiness: { delayMs: 0, policies: [successFilePolicy(), callbackPolicy('log', (n) => void notes.push(n))] },
    }),
  );
  return p.start();
}

async function until(cond: () => Promise<boolean>, ms: number, what: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Rows committed so far (-1 while a merge removed a file between listing and reading it). */
const rowCount = async (dir: string) =>
  readTable(dir).then(
    (t) => [...t.values()].reduce((n, rows) => n + rows.length, 0),
    () => -1,
  );

/**
 * Runs the instance counts of `chain` one after the other over one table: each run reads one
 * phase of the input, is suspended (savepoints) once its rows are committed, and the next run
 * restores the savepoint set of the previous one; the last run reads to the end of input.
 */
async function rescaleChain(chain: number[]): Promise<{ dir: string; notes: ReadyPartition[]; input: Ev[] }> {
  const dir = await tempDir();
  const source = new SplitLogs();
  const notes: ReadyPartition[] = [];
  const checkpointDirs: string[] = [];
  let savepoints: string[] | undefined;
  let written = 0;
  for (const [phase, n] of chain.entries()) {
    for (let s = 0; s < SPLITS; s++) source.append(s, phaseEvents(phase, s));
    written += SPLITS * 60;
    while (checkpointDirs.length < n) checkpointDirs.push(await tempDir('weir-files-cp-'));
    const jobs = Array.from({ length: n }, (_, i) => start(source, dir, checkpointDirs[i]!, notes, i, n, savepoints));
    if (phase === chain.length - 1) {
      source.end();
      const results = await Promise.all(jobs.map((j) => j.done));
      expect(results.map((r) => r.outcome)).toEqual(jobs.map(() => 'finished'));
    } else {
      const target = written;
      let seen = 0;
      const late = () => notes.reduce((d, x) => d + x.deadLetters, 0);
      await until(async () => (seen = await rowCount(dir)) === target, 30_000, () => `phase ${phase} (${n} instances) to commit its ${target} rows: ${seen} visible, ${late()} announced as late`);
      savepoints = await Promise.all(jobs.map(async (j) => (await j.stop({ mode: 'suspend' })).savepoint!.path));
    }
    // the progress the announcer reads: this run's writers', none of a retired writer
    expect(await progressFiles(dir)).toEqual(Array.from({ length: n }, (_, i) => `progress-${i}.json ${n}`));
  }
  return { dir, notes, input: source.logs.flat() };
}

/** The writers' progress files with the instance count of the run that wrote them. */
async function progressFiles(dir: string): Promise<string[]> {
  const names = (await readdir(join(dir, '_weir', 'files'))).filter((n) => n.startsWith('progress-')).sort();
  return Promise.all(names.map(async (n) => `${n} ${(JSON.parse(await readFile(join(dir, '_weir', 'files', n), 'utf8')) as { parallelism: number }).parallelism}`));
}

/** Every partition announced once, with the counts of the input's records in it, equal to what its files hold. */
async function expectCountsExact(dir: string, notes: ReadyPartition[], input: Ev[]): Promise<void> {
  const buckets = new TimeBuckets('dt=YYYY-MM-DD/hour=HH', 'UTC');
  const expected = new Map<string, number>();
  for (const e of input) {
    const key = `${e.stream}/${buckets.partitionOf(e.ts).path}`;
    expected.set(key, (expected.get(key) ?? 0) + 1);
  }
  const table = await readTable<Ev>(dir);
  const ids = [...table.values()].flat().map((e) => e.id);
  expect(ids.length).toBe(input.length);
  expect(new Set(ids).size).toBe(ids.length);

  const announced = new Map<string, string>();
  for (const n of notes) {
    const key = `${n.stream}/${n.partition}`;
    expect(announced.has(key), `${key} announced twice`).toBe(false);
    announced.set(key, `v${n.version} in=${n.recordsIn} out=${n.recordsOut} dead=${n.deadLetters}`);
  }
  const want = new Map<string, string>();
  for (const [key, count] of expected) want.set(key, `v1 in=${count} out=${count} dead=0`);
  // empty hours between a stream's first data and the end are announced too
  for (const [key] of announced) if (!expected.has(key)) want.set(key, 'v1 in=0 out=0 dead=0');
  expect(Object.fromEntries([...announced].sort())).toEqual(Object.fromEntries([...want].sort()));
  for (const [key, count] of expected) {
    expect(table.get(key)?.length, key).toBe(count);
    const success = JSON.parse(await readFile(join(dir, key, '_SUCCESS'), 'utf8')) as { recordCount: number; recordsIn: number; deadLetters: number };
    expect([success.recordCount, success.recordsIn, success.deadLetters], `${key}/_SUCCESS`).toEqual([count, count, 0]);
  }
}

describe('file sink across a rescale (savepoint sets)', () => {
  it('3 -> 2 -> 4 instances: every partition announced once with the counts of every record written before and after each rescale', async () => {
    const { dir, notes, input } = await rescaleChain([3, 2, 4]);
    await expectCountsExact(dir, notes, input);
  }, 90_000);

  it('4 -> 2 -> 4 instances: retired writers taken over by instances 0 and 1, their progress not counted again when instances 2 and 3 return', async () => {
    const { dir, notes, input } = await rescaleChain([4, 2, 4]);
    await expectCountsExact(dir, notes, input);
  }, 90_000);
});

describe('file sink rescale, step by step (the order core opens a rescaled sink in)', () => {
  it('4 -> 2: instance 0 committing before instance 1 does not announce from instance 1\'s old progress, which lacks the counts of the retired writer 3', async () => {
    const dir = await tempDir();
    const notes: ReadyPartition[] = [];
    const sink = () =>
      bucketedFileSink<Ev>({ storage: dir, streamOf: (e) => e.stream, timestampOf: (e) => e.ts, readiness: { delayMs: 0, policies: [callbackPolicy('log', (n) => void notes.push(n))] } });
    // the old run: writer k writes k + 1 records into hour 0; writer 3 is behind (hour 0 open)
    const old = [];
    for (let k = 0; k < 4; k++) {
      const s = sink();
      const ctx = sinkContext({ subtask: k, parallelism: 4 });
      const w = await s.createWriter(ctx);
      await w.write(Array.from({ length: k + 1 }, (_, i) => ({ stream: 'a', id: k * 10 + i, ts: T0 + (k * 10 + i) * MIN })), []);
      await w.onWatermark!(k === 3 ? T0 + 50 * MIN : T0 + HOUR + 10 * MIN);
      const committables = await w.prepareCommit(1);
      old.push({ subtask: k, checkpointId: 1, committables, state: w.snapshotState!(1) });
      await w.close();
    }
    for (const o of old) await (await sink().createCommitter(sinkContext({ subtask: o.subtask, parallelism: 4 }))).commit(1, o.committables);
    expect(notes).toEqual([]);

    // the new run opens like core's SinkNode: re-commit the parts taken over, abort the retired ones' leftovers, then the writer
    const writers: Array<SinkWriter<Ev, unknown>> = [];
    const committers = [];
    for (let j = 0; j < 2; j++) {
      const s = sink();
      const ctx = sinkContext({ subtask: j, parallelism: 2, restoredCheckpointId: 1, nextCheckpointId: 2 });
      const committer = await s.createCommitter(ctx);
      for (const o of old.filter((x) => x.subtask % 2 === j)) {
        await committer.commit(1, o.committables);
        if (o.subtask !== j) await s.abortLeftovers!({ ...ctx, subtask: o.subtask }, o.committables);
      }
      await s.abortLeftovers!(ctx, old[j]!.committables);
      writers.push(await s.createWriter(ctx, old[j]!.state, { parallelism: 4, writers: old.map((o) => ({ subtask: o.subtask, checkpointId: o.checkpointId, state: o.state })) }));
      committers.push(committer);
    }
    expect(await progressFiles(dir)).toEqual(['progress-0.json 4', 'progress-1.json 4']);
    for (const w of writers) await w.onWatermark!(T0 + HOUR + 20 * MIN);
    // instance 0 first: instance 1's progress file is still the old run's (2 records, not 2 + 4)
    await committers[0]!.commit(2, await writers[0]!.prepareCommit(2));
    expect(notes).toEqual([]);
    await committers[1]!.commit(2, await writers[1]!.prepareCommit(2));
    await committers[0]!.commit(3, await writers[0]!.prepareCommit(3));
    expect(notes.map((n) => `${n.stream}/${n.partition} in=${n.recordsIn} out=${n.recordsOut} files=${n.files.length}`)).toEqual(['a/dt=2024-05-01/hour=00 in=10 out=10 files=2']); // each new writer merged its own and the taken-over part when hour 0 closed again
    for (const w of writers) await w.close();
  });
});
