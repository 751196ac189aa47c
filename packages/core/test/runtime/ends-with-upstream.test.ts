/**
 * `Source.endsWithUpstream` with an in-memory exchange: a sink publishes records (and, at the end
 * of its input, an end marker) only when its checkpoint commits, and a source reads what was
 * published and ends once the end marker is read — the shape of `kafkaExchange` without Kafka.
 */

import { describe, expect, it } from 'vitest';
import { Pipeline, collectionSource, generatorSource, heapStateBackend, memorySink, silentLogger, type PollResult, type Sink, type Source, type SourceSplit } from '@weir/core';
import { tempDir } from './helpers.js';

/** What the writing side has committed: records in commit order, and whether its end committed. */
class Exchange {
  readonly published: number[] = [];
  endPublished = false;
  /** Set by a test: the reading side also waits for another (imagined) instance's end. */
  waitForOther = false;
  otherEnded = false;
  private readonly committedIds = new Set<number>();

  sink(): Sink<number, { id: number; records: number[]; end: boolean }, null> {
    const ex = this;
    return {
      async createWriter() {
        let buffered: number[] = [];
        let ended = false;
        return {
          write(records) {
            buffered.push(...records);
          },
          endOfInput() {
            ended = true;
          },
          async prepareCommit(id) {
            const c = { id, records: buffered, end: ended };
            buffered = [];
            return [c];
          },
          async close() {},
        };
      },
      async createCommitter() {
        return {
          async commit(_id, committables) {
            for (const c of committables) {
              if (ex.committedIds.has(c.id)) continue;
              ex.committedIds.add(c.id);
              ex.published.push(...c.records);
              if (c.end) ex.endPublished = true;
            }
          },
        };
      },
    };
  }

  /** One split whose position is an index into `published`; it finishes after the end marker. */
  source(endsWithUpstream: boolean): Source<number, SourceSplit & { offset: number }, null> {
    const ex = this;
    return {
      boundedness: 'bounded',
      endsWithUpstream,
      createEnumerator(ctx, restored) {
        return {
          async start() {
            if (restored === undefined) ctx.assignSplits([{ id: 'x', offset: 0 }]);
            ctx.signalNoMoreSplits();
          },
          addSplitsBack: () => undefined,
          snapshotState: () => null,
          close: async () => undefined,
        };
      },
      createReader() {
        let split: { id: string; offset: number } | undefined;
        let wake: (() => void) | undefined;
        return {
          async start() {},
          addSplits(splits) {
            split = { ...splits[0]! };
          },
          removeSplits() {},
          async poll(maxWaitMs): Promise<PollResult<number, SourceSplit & { offset: number }>> {
            if (split === undefined || split.offset >= ex.published.length) await new Promise<void>((r) => ((wake = r), setTimeout(r, Math.min(maxWaitMs, 20))));
            if (split === undefined) return { batches: [] };
            const records = ex.published.slice(split.offset);
            split.offset += records.length;
            const batches = records.length > 0 ? [{ splitId: split.id, records, splitState: { ...split } }] : [];
            return { batches, finishedSplits: ex.endPublished && (!ex.waitForOther || ex.otherEnded) && split.offset === ex.published.length ? [split.id] : [] };
          },
          wakeup: () => wake?.(),
          pauseSplits() {},
          resumeSplits() {},
          async close() {},
        };
      },
    };
  }
}

async function build(name: string, intervalMs: number, input: 'unbounded' | 'bounded', endsWithUpstream = true) {
  const ex = new Exchange();
  const out = memorySink<number>();
  const p = new Pipeline({ name, checkpoints: { dir: await tempDir(), intervalMs }, stateBackend: heapStateBackend(), logger: silentLogger, stopGracePeriodMs: 8_000 });
  const src = input === 'bounded' ? collectionSource([...Array(500).keys()], { batchSize: 50 }) : generatorSource({ splits: 1, batchSize: 20, ratePerSecond: 2000, generate: (_s, o) => o });
  p.source('in', src).map('double', (n) => n * 2).sink('exchange-out', ex.sink());
  p.source('exchange-in', ex.source(endsWithUpstream)).sink('out', out);
  return { ex, out, job: p.start() };
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Every record the writing side published reached the output once, and nothing else did. */
function expectAllThrough(ex: Exchange, out: number[]): void {
  expect(ex.endPublished).toBe(true);
  expect(ex.published.length).toBeGreaterThan(0);
  expect([...out].sort((a, b) => a - b)).toEqual([...ex.published].sort((a, b) => a - b));
}

describe('Source.endsWithUpstream', () => {
  for (const intervalMs of [50, 0]) {
    it(`drain (checkpoint interval ${intervalMs}): the exchange source reads to its end before the drained checkpoint`, async () => {
      const { ex, out, job } = await build(`ewu-drain-${intervalMs}`, intervalMs, 'unbounded');
      if (intervalMs > 0) await until(() => out.committedCount() > 0, 5_000);
      else await new Promise((r) => setTimeout(r, 200));
      const result = await job.stop({ mode: 'drain' });
      expect(result.outcome).toBe('drained');
      expect(result.lastCheckpoint?.metadata.drained).toBe(true);
      expectAllThrough(ex, out.committed);
    });
  }

  it('without the flag a drain cuts the exchange source: records published by the final checkpoint are never read', async () => {
    const { ex, out, job } = await build('ewu-drain-cut', 50, 'unbounded', false);
    await until(() => out.committedCount() > 0, 5_000);
    expect((await job.stop({ mode: 'drain' })).outcome).toBe('drained');
    expect(ex.published.length).toBeGreaterThan(out.committedCount());
  });

  for (const intervalMs of [50, 0]) {
    it(`bounded input (checkpoint interval ${intervalMs}): the job finishes by itself once the exchange source read the end`, async () => {
      const { ex, out, job } = await build(`ewu-bounded-${intervalMs}`, intervalMs, 'bounded');
      const result = await job.done;
      expect(result.outcome).toBe('finished');
      expectAllThrough(ex, out.committed);
      expect(ex.published.length).toBe(500);
    });
  }

  it('suspend stops the exchange source at once; the restore reads on and a drain ends it', async () => {
    const dir = await tempDir();
    const ex = new Exchange();
    const out = memorySink<number>();
    const make = () => {
      const p = new Pipeline({ name: 'ewu-suspend', checkpoints: { dir, intervalMs: 50 }, stateBackend: heapStateBackend(), logger: silentLogger, stopGracePeriodMs: 8_000 });
      p.source('in', generatorSource({ splits: 1, batchSize: 20, ratePerSecond: 2000, generate: (_s, o) => o })).sink('exchange-out', ex.sink());
      p.source('exchange-in', ex.source(true)).sink('out', out);
      return p.start();
    };
    const first = make();
    await until(() => out.committedCount() > 0, 5_000);
    const suspended = await first.stop({ mode: 'suspend' });
    expect(suspended.outcome).toBe('suspended');
    expect(suspended.savepoint).toBeDefined();
    expect(ex.endPublished).toBe(false); // it did not wait for an end: a suspend ends no input
    const before = out.committedCount();
    const second = make();
    await until(() => out.committedCount() > before, 5_000);
    expect((await second.stop({ mode: 'drain' })).outcome).toBe('drained');
    expectAllThrough(ex, out.committed);
  });

  it('a drain cancelled after its end markers committed goes on after the restart: the stopped source stays ended', async () => {
    const dir = await tempDir();
    const ex = new Exchange();
    ex.waitForOther = true;
    const out = memorySink<number>();
    const make = () => {
      const p = new Pipeline({ name: 'ewu-resume', checkpoints: { dir, intervalMs: 50 }, stateBackend: heapStateBackend(), logger: silentLogger, stopGracePeriodMs: 8_000 });
      p.source('in', generatorSource({ splits: 1, batchSize: 20, ratePerSecond: 2000, generate: (_s, o) => o })).sink('exchange-out', ex.sink());
      p.source('exchange-in', ex.source(true)).sink('out', out);
      return p.start();
    };
    const first = make();
    await until(() => out.committedCount() > 0, 5_000);
    const draining = first.stop({ mode: 'drain' });
    await until(() => ex.endPublished, 5_000);
    // the drain waits for the other instance; periodic checkpoints go on meanwhile
    await new Promise((r) => setTimeout(r, 200));
    expect(out.committedCount()).toBe(ex.published.length);
    expect((await first.stop({ mode: 'cancel' })).outcome).toBe('cancelled');
    await draining;
    const publishedAtEnd = ex.published.length;
    const second = make();
    await new Promise((r) => setTimeout(r, 400));
    // restored ended: 'in' does not read on past the end its writer already published
    expect(ex.published.length).toBe(publishedAtEnd);
    ex.otherEnded = true;
    const result = await second.done;
    expect(result.outcome).toBe('finished');
    expectAllThrough(ex, out.committed);
  });
});
