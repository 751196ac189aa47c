import { mkdir, writeFile, readdir } from 'node:fs/promises';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CheckpointFormatError,
  Pipeline,
  RestartStrategies,
  RestoreRefusedError,
  StateCompatibilityError,
  WatermarkStrategies,
  generatorSource,
  heapStateBackend,
  memorySink,
  silentLogger,
  tumblingWindows,
  type Logger,
  type PipelineOptions,
  type Sink,
  type WindowResult,
} from '@weir/core';
import { tempDir } from '../runtime/helpers.js';

interface Ev {
  k: number;
  ts: number;
}
const SPLITS = 2;
const PER_SPLIT = 3000;
/** Record o of split s: key o % 7, event time o * 10 ms: 100 records per 1 s window per split. */
const gen = (s: number, o: number): Ev => ({ k: (o + s) % 7, ts: o * 10 });

function windowsJob(dir: string, out: ReturnType<typeof memorySink<WindowResult<number>>>, extra: Partial<PipelineOptions> = {}, rate = 3000): Pipeline {
  const p = new Pipeline({ name: 'lifecycle', checkpoints: { dir, intervalMs: 50 }, stateBackend: heapStateBackend(), logger: silentLogger, ...extra });
  p.source('events', generatorSource({ splits: SPLITS, recordsPerSplit: PER_SPLIT, batchSize: 50, ratePerSecond: rate, generate: gen }), {
    watermarks: WatermarkStrategies.forMonotonousTimestamps<Ev>((e) => e.ts),
  })
    .keyBy((e) => e.k)
    .window('per-second', tumblingWindows(1000), { create: () => 0, add: (n: number) => n + 1, result: (n) => n })
    .sink('out', out);
  return p;
}

/** Every (key, window) with its count, computed from the generator. */
function oracle(): Map<string, number> {
  const m = new Map<string, number>();
  for (let s = 0; s < SPLITS; s++) {
    for (let o = 0; o < PER_SPLIT; o++) {
      const e = gen(s, o);
      const id = `${e.k}@${Math.floor(e.ts / 1000) * 1000}`;
      m.set(id, (m.get(id) ?? 0) + 1);
    }
  }
  return m;
}

function emittedOnce(results: WindowResult<number>[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of results) {
    const id = `${r.key}@${r.start}`;
    expect(m.has(id), `window ${id} emitted twice`).toBe(false);
    m.set(id, r.value);
  }
  return m;
}

const until = async (what: string, cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('suspend, then restart with the default restoreFrom', () => {
  it('continues exactly: every window once, with all its records', async () => {
    const dir = await tempDir();
    const first = memorySink<WindowResult<number>>();
    // slow enough (3 s of input) that the suspend lands mid-stream on a loaded machine too
    const job = windowsJob(dir, first, {}, 1000).start();
    await until('a checkpoint', () => job.status().checkpoints.completed >= 2);
    const stopped = await job.stop({ mode: 'suspend' });
    expect(stopped.outcome).toBe('suspended');
    expect(stopped.savepoint?.metadata.kind).toBe('savepoint');
    const second = memorySink<WindowResult<number>>();
    const job2 = windowsJob(dir, second, {}, 100_000).start();
    const result = await job2.done;
    expect(result.outcome).toBe('finished');
    expect(job2.status().restoredFrom).toMatchObject({ kind: 'savepoint', id: stopped.savepoint!.metadata.id });
    expect(emittedOnce([...first.committed, ...second.committed])).toEqual(oracle());
  });

  it('an old savepoint left in restoreFrom does not win over newer checkpoints after a restart', async () => {
    const dir = await tempDir();
    const first = memorySink<WindowResult<number>>();
    const job = windowsJob(dir, first).start();
    await until('a checkpoint', () => job.status().checkpoints.completed >= 1);
    const old = await job.savepoint();
    await until('newer checkpoints', () => job.status().checkpoints.completed >= 4);
    await job.stop({ mode: 'cancel' });
    // a crash-like end (cancel commits nothing more); the deployment still names the old savepoint
    const second = memorySink<WindowResult<number>>();
    const job2 = windowsJob(dir, second, { restoreFrom: old!.path }, 100_000).start();
    await job2.done;
    expect(job2.status().restoredFrom!.id).toBeGreaterThan(old!.metadata.id);
    expect(emittedOnce([...first.committed, ...second.committed])).toEqual(oracle());
  });
});

describe('drain', () => {
  it('marks its final checkpoint; a restart from it is refused unless allowed', async () => {
    const dir = await tempDir();
    const first = memorySink<WindowResult<number>>();
    const job = windowsJob(dir, first).start();
    await until('a checkpoint', () => job.status().checkpoints.completed >= 1);
    const drained = await job.stop({ mode: 'drain' });
    expect(drained.outcome).toBe('drained');
    expect(drained.lastCheckpoint?.metadata.drained).toBe(true);
    const again = windowsJob(dir, memorySink<WindowResult<number>>()).start();
    await expect(again.done).rejects.toThrow(RestoreRefusedError);
    expect(again.status().state).toBe('failed');
    const allowed = windowsJob(dir, memorySink<WindowResult<number>>(), { allowRestoreAfterDrain: true }, 100_000).start();
    expect((await allowed.done).outcome).toBe('finished');
  });
});

describe('state compatibility on restore', () => {
  const keyedJob = (dir: string, stepName: string, kind: 'window' | 'reduce' | 'none', extra: Partial<PipelineOptions> = {}) => {
    const p = new Pipeline({ name: 'compat', checkpoints: { dir, intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger, ...extra });
    const s = p.source('n', generatorSource({ splits: 1, recordsPerSplit: 100, generate: (_s, o) => ({ k: o % 3, ts: o }) }));
    if (kind === 'none') s.map('plain', (e) => e).sink('out', memorySink<unknown>());
    else if (kind === 'reduce') s.keyBy((e) => e.k).reduce(stepName, (a, b) => ({ k: a.k, ts: a.ts + b.ts })).sink('out', memorySink<unknown>());
    else s.keyBy((e) => e.k).window(stepName, tumblingWindows(10), { create: () => 0, add: (n: number) => n + 1, result: (n) => n }).sink('out', memorySink<unknown>());
    return p;
  };

  it('a removed stateful step fails the start, naming it; allowNonRestoredState drops its state', async () => {
    const dir = await tempDir();
    const first = await keyedJob(dir, 'counts', 'window').run();
    expect(first.lastCheckpoint).toBeDefined();
    const warnings: string[] = [];
    await expect(keyedJob(dir, 'x', 'none').run()).rejects.toThrow(/holds state of step 'counts' that the pipeline no longer has/);
    await expect(keyedJob(dir, 'x', 'none').run()).rejects.toBeInstanceOf(StateCompatibilityError);
    const logger = captureLogger(warnings);
    const r = await keyedJob(dir, 'x', 'none', { allowNonRestoredState: true, logger }).run();
    expect(r.outcome).toBe('finished');
    expect(warnings.join('\n')).toMatch(/counts/);
  });

  it('a step whose kind changed under the same name fails clearly', async () => {
    const dir = await tempDir();
    await keyedJob(dir, 'agg', 'window').run();
    await expect(keyedJob(dir, 'agg', 'reduce', { allowNonRestoredState: true }).run()).rejects.toThrow(/'agg' was keyedProcess:window, is now keyedProcess:reduce/);
  });

  it('a checkpoint of an unknown format version is refused with a clear message', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'chk-3'), { recursive: true });
    await writeFile(join(dir, 'chk-3', '_metadata.json'), JSON.stringify({ formatVersion: 99, id: 3, kind: 'checkpoint', jobName: 'compat', createdAtMs: 1, steps: {} }));
    const run = keyedJob(dir, 'agg', 'window').run();
    await expect(run).rejects.toBeInstanceOf(CheckpointFormatError);
    await expect(keyedJob(dir, 'agg', 'window').run()).rejects.toThrow(/format version 99; this Weir reads versions 1 to 2/);
  });

  it('a restoreFrom that names no checkpoint says so', async () => {
    const dir = await tempDir();
    await expect(keyedJob(dir, 'agg', 'window', { restoreFrom: join(dir, 'nope') }).run()).rejects.toThrow(/no completed checkpoint at .*nope/);
  });
});

describe('stop in every phase', () => {
  const failingSink = (): Sink<unknown, never, never> => ({
    createWriter: async () => {
      throw new Error('ECONNREFUSED 127.0.0.1:1');
    },
    createCommitter: async () => ({ commit: async () => undefined }),
  });
  const hangingSink = (where: 'open' | 'prepare'): Sink<unknown, never, never> => ({
    createWriter: () =>
      where === 'open'
        ? new Promise(() => undefined)
        : Promise.resolve({ write: () => undefined, prepareCommit: () => new Promise<never[]>(() => undefined), close: async () => undefined }),
    createCommitter: async () => ({ commit: async () => undefined }),
  });
  const job = async (sink: Sink<unknown, never, never>, extra: Partial<PipelineOptions> = {}) => {
    const p = new Pipeline({ name: 'phases', checkpoints: { dir: await tempDir(), intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger, ...extra });
    p.source('n', generatorSource({ splits: 1, ratePerSecond: 1000, generate: (_s, o) => o })).sink('out', sink);
    return p.start();
  };

  it('a stop during restart backoff ends the job at once', async () => {
    const j = await job(failingSink(), { restart: RestartStrategies.exponentialBackoff({ initialDelayMs: 60_000, maxDelayMs: 60_000 }) });
    await until('restart backoff', () => j.status().state === 'restarting');
    const t0 = Date.now();
    const r = await j.stop({ mode: 'suspend' });
    expect(r.outcome).toBe('cancelled');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('a suspend that cannot finish within the grace period ends as a cancel', async () => {
    const j = await job(hangingSink('prepare'), { stopGracePeriodMs: 300 });
    await until('running', () => j.status().state === 'running');
    const t0 = Date.now();
    const r = await j.stop({ mode: 'suspend' });
    expect(r.outcome).toBe('cancelled');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('the state stays starting while a sink is still opening, and is running once it opened', async () => {
    let release!: () => void;
    let opening = false;
    const opened = new Promise<void>((r) => (release = r));
    const sink: Sink<unknown, never, never> = {
      createWriter: async () => {
        opening = true;
        await opened;
        return { write: () => undefined, prepareCommit: async () => [], close: async () => undefined };
      },
      createCommitter: async () => ({ commit: async () => undefined }),
    };
    const j = await job(sink);
    await until('the sink is opening', () => opening);
    expect(j.status().state).toBe('starting');
    release();
    await until('running', () => j.status().state === 'running');
    expect((await j.stop({ mode: 'cancel' })).outcome).toBe('cancelled');
  });

  it('a stop while a sink is still opening (unreachable cluster) is honoured', async () => {
    const j = await job(hangingSink('open'), { stopGracePeriodMs: 300 });
    await new Promise((r) => setTimeout(r, 100));
    const r = await j.stop({ mode: 'drain' });
    expect(r.outcome).toBe('cancelled');
  });

  it('an AbortSignal suspends the job', async () => {
    const ac = new AbortController();
    const out = memorySink<number>();
    const p = new Pipeline({ name: 'abort', checkpoints: { dir: await tempDir(), intervalMs: 50 }, stateBackend: heapStateBackend(), logger: silentLogger, signal: ac.signal });
    p.source('n', generatorSource({ splits: 1, ratePerSecond: 2000, generate: (_s, o) => o })).sink('out', out);
    const j = p.start();
    await until('running', () => j.status().state === 'running');
    ac.abort();
    const r = await j.done;
    expect(r.outcome).toBe('suspended');
    expect(r.savepoint).toBeDefined();
  });
});

describe('lifecycle you can see', () => {
  it('logs started fresh / restored / stop requested / stopped at info', async () => {
    const dir = await tempDir();
    const lines: string[] = [];
    const logger = captureLogger(lines, 'info');
    const first = windowsJob(dir, memorySink(), { logger }).start();
    await until('a checkpoint', () => first.status().checkpoints.completed >= 1);
    await first.stop({ mode: 'suspend' });
    const second = windowsJob(dir, memorySink(), { logger }, 100_000);
    await second.run();
    const text = lines.join('\n');
    expect(text).toMatch(/started fresh/);
    expect(text).toMatch(/stop requested.*suspend|suspend.*stop requested/);
    expect(text).toMatch(/restored savepoint \d+/);
    expect(text).toMatch(/job stopped.*(suspended|finished)|(suspended|finished).*job stopped/);
  });

  it('sink errors name the sink step', async () => {
    const p = new Pipeline({ name: 'sink-error', checkpoints: { dir: await tempDir(), intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger, restart: RestartStrategies.none() });
    p.source('n', generatorSource({ splits: 1, recordsPerSplit: 10, generate: (_s, o) => o })).sink('orders-out', {
      createWriter: async () => ({
        write: () => Promise.reject(new Error("cluster 'eu': KafkaJSNumberOfRetriesExceeded: connect ECONNREFUSED")),
        prepareCommit: async () => [],
        close: async () => undefined,
      }),
      createCommitter: async () => ({ commit: async () => undefined }),
    });
    await expect(p.run()).rejects.toThrow(/step 'orders-out' failed: cluster 'eu': KafkaJSNumberOfRetriesExceeded/);
  });

  it('removes the scratch directory a SIGKILLed process of the same job left behind', async () => {
    const stale = mkdtempSync(join(tmpdir(), 'weir-scratchy-'));
    writeFileSync(join(stale, '.weir-owner'), '2147483646'); // no such process
    const p = new Pipeline({ name: 'scratchy', checkpoints: { dir: await tempDir(), intervalMs: 0 }, logger: silentLogger });
    p.source('n', generatorSource({ splits: 1, recordsPerSplit: 10, generate: (_s, o) => o })).sink('out', memorySink<number>());
    await p.run();
    expect((await readdir(tmpdir())).includes(stale.split('/').pop()!)).toBe(false);
  });
});

function captureLogger(lines: string[], level: 'info' | 'warn' = 'warn'): Logger {
  const rank = { debug: 0, info: 1, warn: 2, error: 3 };
  const make = (bindings: Record<string, unknown>): Logger => {
    const at = (l: keyof typeof rank) => (obj: object | string, msg?: string) => {
      if (rank[l] < rank[level]) return;
      lines.push(`${l} ${typeof obj === 'string' ? obj : `${msg ?? ''} ${JSON.stringify({ ...bindings, ...obj })}`}`);
    };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (b) => make({ ...bindings, ...b }) };
  };
  return make({});
}
