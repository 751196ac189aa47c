import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Pipeline, generatorSource, heapStateBackend, memorySink, silentLogger, type CheckpointMetadata } from '@weir/core';
import { tempDir } from '../runtime/helpers.js';

interface Seen {
  split: number;
  offset: number;
  version: number;
  value: string;
  /** Version seen by a second, later step of the chain. */
  later: number;
}

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function checkpointsIn(dir: string): Promise<CheckpointMetadata[]> {
  const out: CheckpointMetadata[] = [];
  for (const name of await readdir(dir)) {
    if (!/^chk-\d+$/.test(name)) continue;
    try {
      out.push(JSON.parse(await readFile(join(dir, name, '_metadata.json'), 'utf8')) as CheckpointMetadata);
    } catch {
      // not completed
    }
  }
  return out.sort((a, b) => a.id - b.id);
}

/** A 2-split unbounded source; a map step tags each record with the broadcast it saw. */
async function setup(intervalMs: number) {
  const dir = await tempDir();
  const out = memorySink<Seen>();
  let processed = 0;
  const p = new Pipeline({ name: 'bc', checkpoints: { dir, intervalMs, keep: 10_000 }, stateBackend: heapStateBackend(), logger: silentLogger, pollTimeoutMs: 20 });
  const config = p.broadcast('config', 'v0');
  p.source('src', generatorSource({ splits: 2, generate: (split, offset) => ({ split, offset }), batchSize: 20, ratePerSecond: 3000 }))
    .map('tag', ({ split, offset }) => {
      processed++;
      return { split, offset, version: config.version(), value: config.current(), later: -1 };
    })
    .map('later', (r) => ({ ...r, later: config.version() }))
    .sink('out', out);
  return { dir, out, config, pipeline: p, processed: () => processed };
}

describe('broadcast values', () => {
  it('switches at a checkpoint barrier: every record after the cut (both splits) sees the new version, none before', async () => {
    const { dir, out, config, pipeline, processed } = await setup(40);
    const job = pipeline.start();
    await until(() => processed() > 300);
    config.propose('v1');
    expect(config.current()).toBe('v0'); // staged, not switched
    await until(() => config.version() === 1);
    const afterSwitch = processed();
    await until(() => processed() > afterSwitch + 300);
    await job.stop({ mode: 'drain' });

    const cps = await checkpointsIn(dir);
    const cut = cps.find((m) => m.broadcasts?.config === 1)!;
    expect(cut).toBeDefined();
    // every checkpoint before the cut recorded version 0, and the cut is a real checkpoint boundary
    expect(cps.filter((m) => m.id < cut.id).every((m) => m.broadcasts?.config === 0)).toBe(true);
    const positions = new Map((cut.steps.src!.operator as { splits: { index: number; offset: number }[] }).splits.map((s) => [s.index, s.offset]));
    expect(positions.size).toBe(2);

    const records = out.committed;
    for (const split of [0, 1]) {
      const pos = positions.get(split)!;
      const mine = records.filter((r) => r.split === split);
      const before = mine.filter((r) => r.offset < pos);
      const after = mine.filter((r) => r.offset >= pos);
      expect(before.length).toBeGreaterThan(0);
      expect(after.length).toBeGreaterThan(0);
      expect(before.every((r) => r.version === 0 && r.value === 'v0' && r.later === 0)).toBe(true);
      expect(after.every((r) => r.version === 1 && r.value === 'v1' && r.later === 1)).toBe(true);
    }
  });

  it('does not switch without a checkpoint when the interval is > 0; a manual checkpoint switches', async () => {
    const { dir, out, config, pipeline, processed } = await setup(60_000);
    const job = pipeline.start();
    await until(() => processed() > 100);
    config.propose('v1');
    const proposedAt = processed();
    await until(() => processed() > proposedAt + 600);
    expect(config.version()).toBe(0);
    expect(config.hasPending()).toBe(true);
    const cp = await job.checkpoint();
    expect(cp?.metadata.broadcasts).toEqual({ config: 1 });
    expect(config.current()).toBe('v1');
    await job.stop({ mode: 'drain' });
    const positions = (cp!.metadata.steps.src!.operator as { splits: { index: number; offset: number }[] }).splits;
    for (const { index, offset } of positions) {
      const mine = out.committed.filter((r) => r.split === index);
      expect(mine.filter((r) => r.offset < offset).every((r) => r.version === 0)).toBe(true);
      expect(mine.filter((r) => r.offset >= offset).every((r) => r.version === 1)).toBe(true);
    }
    expect((await checkpointsIn(dir)).map((m) => m.broadcasts?.config)).toEqual([1, 1]); // the manual one and the final one
  });

  it('switches on a timer (in a mailbox action) when periodic checkpoints are disabled', async () => {
    const { out, config, pipeline, processed } = await setup(0);
    const job = pipeline.start();
    await until(() => processed() > 100);
    config.propose('v1');
    config.propose('v2'); // replaces the staged value: one switch
    await until(() => config.version() === 1, 2000);
    expect(config.current()).toBe('v2');
    const afterSwitch = processed();
    await until(() => processed() > afterSwitch + 100);
    await job.stop({ mode: 'drain' });
    // per split the versions never go back: a single switch point
    for (const split of [0, 1]) {
      const versions = out.committed.filter((r) => r.split === split).sort((a, b) => a.offset - b.offset).map((r) => r.version);
      const first = versions.indexOf(1);
      expect(first).toBeGreaterThan(0);
      expect(versions.slice(0, first).every((v) => v === 0)).toBe(true);
      expect(versions.slice(first).every((v) => v === 1)).toBe(true);
    }
    expect(out.committed.every((r) => r.later === r.version)).toBe(true);
  });

  it('runs the watch option while the job runs and stops it at the end', async () => {
    const p = new Pipeline({ name: 'bc-watch', checkpoints: { dir: await tempDir(), intervalMs: 30 }, stateBackend: heapStateBackend(), logger: silentLogger, pollTimeoutMs: 20 });
    let stopped = 0;
    let propose: ((n: number) => void) | undefined;
    const limit = p.broadcast('limit', 10, {
      watch: (fn) => {
        propose = fn;
        return () => void stopped++;
      },
    });
    expect(propose).toBeUndefined(); // not before start
    expect(() => p.broadcast('limit', 1)).toThrow(/duplicate broadcast name 'limit'/);
    p.source('src', generatorSource({ splits: 1, generate: (_s, o) => o, ratePerSecond: 2000 }))
      .filter('below', (n) => n % 100 < limit.current())
      .sink('out', memorySink<number>());
    const job = p.start();
    await until(() => propose !== undefined);
    propose!(50);
    await until(() => limit.version() === 1);
    expect(limit.current()).toBe(50);
    expect(stopped).toBe(0);
    await job.stop({ mode: 'drain' });
    await until(() => stopped === 1);
  });

  it('after a failure and restore, output still switches once per split, at a completed checkpoint of both splits', async () => {
    const dir = await tempDir();
    const out = memorySink<Seen>();
    let processed = 0;
    let failed = false;
    const p = new Pipeline({
      name: 'bc-restart',
      checkpoints: { dir, intervalMs: 40, keep: 10_000 },
      stateBackend: heapStateBackend(),
      logger: silentLogger,
      pollTimeoutMs: 20,
      errorPolicy: 'fail',
      restart: { kind: 'fixed-delay', maxAttempts: 1, delayMs: 10 },
    });
    const config = p.broadcast('config', 'v0');
    p.source('src', generatorSource({ splits: 2, generate: (split, offset) => ({ split, offset }), batchSize: 20, ratePerSecond: 3000 }))
      .map('tag', ({ split, offset }) => {
        processed++;
        // fail right after the switch: records after the restored checkpoint are replayed
        if (!failed && config.version() === 1) {
          failed = true;
          throw new Error('boom');
        }
        return { split, offset, version: config.version(), value: config.current(), later: -1 };
      })
      .sink('out', out);
    const job = p.start();
    await until(() => processed > 300);
    config.propose('v1');
    await until(() => failed);
    const at = processed;
    await until(() => processed > at + 600);
    const result = await job.stop({ mode: 'drain' });
    expect(result.restarts).toBe(1);

    const cps = await checkpointsIn(dir);
    const cutOf = new Map<number, number>();
    for (const split of [0, 1]) {
      const mine = out.committed.filter((r) => r.split === split).sort((a, b) => a.offset - b.offset);
      expect(mine.map((r) => r.offset)).toEqual(mine.map((_, i) => i)); // exactly once, no gap
      const first = mine.findIndex((r) => r.version === 1);
      expect(first).toBeGreaterThan(0);
      expect(mine.slice(first).every((r) => r.version === 1)).toBe(true);
      cutOf.set(split, mine[first]!.offset);
    }
    const boundary = cps.find((m) => {
      const splits = (m.steps.src!.operator as { splits: { index: number; offset: number }[] }).splits;
      return splits.every((s) => cutOf.get(s.index) === s.offset);
    });
    expect(boundary).toBeDefined();
  });
});
