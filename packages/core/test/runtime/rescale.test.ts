import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Pipeline, RestoreRefusedError, classicLevelStateBackend, generatorSource, heapStateBackend, rocksDbStateBackend, keyGroupOf, memorySink, silentLogger, subtaskForKeyGroup } from '../../src/index.js';
import type { Job, MemorySink, StateBackendFactory, PollResult, Source, SourceReader, SourceSplit, SplitEnumerator, SplitEnumeratorContext } from '../../src/index.js';

const MAX_PARALLELISM = 8;
const CUSTOMERS = 40;

interface Order {
  seq: number;
  customer: string;
  amount: number;
}

interface Total {
  customer: string;
  sum: number;
  count: number;
}

interface LogSplit extends SourceSplit {
  readonly group: number;
  readonly offset: number;
}

/**
 * Input already partitioned by key group (one replayable log per group, like a Kafka topic
 * partitioned by key group): each instance reads the logs of the groups it owns, so keyBy needs
 * no exchange. On a restore from another instance count it hands back the logs it does not own.
 */
class KeyGroupLogs implements Source<Order, LogSplit, null> {
  readonly boundedness = 'unbounded' as const;
  readonly logs = Array.from({ length: MAX_PARALLELISM }, () => [] as Order[]);

  append(orders: Order[]): void {
    for (const o of orders) this.logs[keyGroupOf(o.customer, MAX_PARALLELISM)]!.push(o);
  }

  createEnumerator(ctx: SplitEnumeratorContext<LogSplit>, restored?: { state: null; assigned: LogSplit[] }): SplitEnumerator<LogSplit, null> {
    const owns = (g: number) => subtaskForKeyGroup(g, ctx.parallelism, MAX_PARALLELISM) === ctx.subtask;
    return {
      start: async () => {
        const held = new Set((restored?.assigned ?? []).map((s) => s.group));
        ctx.removeSplits((restored?.assigned ?? []).filter((s) => !owns(s.group)).map((s) => s.id));
        const fresh: LogSplit[] = [];
        for (let g = 0; g < MAX_PARALLELISM; g++) if (owns(g) && !held.has(g)) fresh.push({ id: `g${g}`, group: g, offset: 0 });
        ctx.assignSplits(fresh);
      },
      addSplitsBack: (splits) => ctx.assignSplits(splits),
      snapshotState: () => null,
      close: async () => undefined,
    };
  }

  createReader(): SourceReader<Order, LogSplit> {
    const logs = this.logs;
    const offsets = new Map<string, { group: number; offset: number }>();
    let wake: (() => void) | undefined;
    return {
      start: async () => undefined,
      addSplits: (splits) => {
        for (const s of splits) offsets.set(s.id, { group: s.group, offset: s.offset });
      },
      removeSplits: (ids) => {
        for (const id of ids) offsets.delete(id);
      },
      poll: async (maxWaitMs): Promise<PollResult<Order, LogSplit>> => {
        const batches = [];
        for (const [id, pos] of offsets) {
          const log = logs[pos.group]!;
          if (pos.offset >= log.length) continue;
          const records = log.slice(pos.offset, pos.offset + 50);
          pos.offset += records.length;
          batches.push({ splitId: id, records, splitState: { id, group: pos.group, offset: pos.offset } });
        }
        if (batches.length === 0) await new Promise<void>((r) => ((wake = r), setTimeout(r, Math.min(maxWaitMs, 20))));
        return { batches };
      },
      wakeup: () => wake?.(),
      pauseSplits: () => undefined,
      resumeSplits: () => undefined,
      close: async () => undefined,
    };
  }
}

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'weir-rescale-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function orders(from: number, to: number): Order[] {
  return Array.from({ length: to - from }, (_, k) => {
    const seq = from + k;
    return { seq, customer: `c${(seq * 7) % CUSTOMERS}`, amount: (seq % 13) + 1 };
  });
}

function start(source: KeyGroupLogs, out: MemorySink<Total>, dir: string, subtask: number, parallelism: number, restoreFrom?: string[], maxParallelism = MAX_PARALLELISM, backend: StateBackendFactory = heapStateBackend()): Job {
  const p = new Pipeline({
    name: 'rescale',
    subtask,
    parallelism,
    maxParallelism,
    checkpoints: { dir, intervalMs: 40 },
    stateBackend: backend,
    logger: silentLogger,
    restart: { kind: 'none' },
    pollTimeoutMs: 20,
    ...(restoreFrom ? { restoreFrom } : {}),
  });
  p.source('orders', source)
    .keyBy((o) => o.customer, { prePartitioned: true })
    .process<Total>('totals', () => {
      let sum: import('../../src/index.js').ValueState<number>;
      let count: import('../../src/index.js').ValueState<number>;
      return {
        open: (ctx) => {
          sum = ctx.state.valueState<number>('sum');
          count = ctx.state.valueState<number>('count');
        },
        processElement: (o, ctx) => {
          const s = (sum.value() ?? 0) + o.amount;
          const c = (count.value() ?? 0) + 1;
          sum.update(s);
          count.update(c);
          ctx.emit({ customer: o.customer, sum: s, count: c });
        },
      };
    })
    .sink('out', out);
  return p.start();
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Runs `n` instances over the first half, suspends them, and `m` instances from their savepoints over the second half. */
async function rescale(n: number, m: number, total: number, backend: () => StateBackendFactory = heapStateBackend): Promise<Total[]> {
  const source = new KeyGroupLogs();
  source.append(orders(0, total / 2));
  const first = Array.from({ length: n }, () => memorySink<Total>());
  const firstDirs = await Promise.all(first.map(() => tempDir()));
  const jobs = first.map((out, i) => start(source, out, firstDirs[i]!, i, n, undefined, MAX_PARALLELISM, backend()));
  await until(() => first.reduce((a, o) => a + o.committed.length, 0) === total / 2, 20_000, `${n} instances`);
  const savepoints = await Promise.all(jobs.map(async (j) => (await j.stop({ mode: 'suspend' })).savepoint!.path));
  source.append(orders(total / 2, total));
  const second = Array.from({ length: m }, () => memorySink<Total>());
  // the new instances reuse the old directories where there are any (their own savepoint is part of the set)
  const secondDirs = await Promise.all(second.map((_, j) => (j < n ? firstDirs[j]! : tempDir())));
  const jobs2 = second.map((out, j) => start(source, out, secondDirs[j]!, j, m, savepoints, MAX_PARALLELISM, backend()));
  await until(() => second.reduce((a, o) => a + o.committed.length, 0) >= total / 2, 20_000, `${m} instances`);
  await Promise.all(jobs2.map((j) => j.stop({ mode: 'suspend' })));
  return [...first, ...second].flatMap((o) => o.committed);
}

/** What one instance emits over the whole input: the running total after every order of each customer. */
function oracle(total: number): Map<string, Total[]> {
  const out = new Map<string, Total[]>();
  const acc = new Map<string, Total>();
  for (const o of orders(0, total)) {
    const prev = acc.get(o.customer) ?? { customer: o.customer, sum: 0, count: 0 };
    const next = { customer: o.customer, sum: prev.sum + o.amount, count: prev.count + 1 };
    acc.set(o.customer, next);
    out.set(o.customer, [...(out.get(o.customer) ?? []), next]);
  }
  return out;
}

function byCustomer(results: Total[]): Map<string, Total[]> {
  const out = new Map<string, Total[]>();
  for (const r of results) out.set(r.customer, [...(out.get(r.customer) ?? []), r]);
  for (const list of out.values()) list.sort((a, b) => a.count - b.count);
  return out;
}

describe('rescaling keyed state through savepoint sets', () => {
  const TOTAL = 240;
  const expected = oracle(TOTAL);
  for (let n = 1; n <= 4; n++) {
    it(`N=${n} -> M=1..4: every running total once, equal to the single-instance result`, async () => {
      for (let m = 1; m <= 4; m++) {
        const got = byCustomer(await rescale(n, m, TOTAL));
        expect(got, `${n} -> ${m}`).toEqual(expected);
      }
    }, 120_000);
  }

  it('classic-level and RocksDB state move the same way (3 -> 2, 2 -> 4)', async () => {
    for (const backend of [classicLevelStateBackend, rocksDbStateBackend]) {
      expect(byCustomer(await rescale(3, 2, TOTAL, backend))).toEqual(expected);
      expect(byCustomer(await rescale(2, 4, TOTAL, backend))).toEqual(expected);
    }
  }, 120_000);

  it('refuses another maxParallelism, an incomplete savepoint set and a lone savepoint of a larger run', async () => {
    const source = new KeyGroupLogs();
    source.append(orders(0, 40));
    const outs = [memorySink<Total>(), memorySink<Total>()];
    const dirsOf = [await tempDir(), await tempDir()];
    const jobs = outs.map((o, i) => start(source, o, dirsOf[i]!, i, 2));
    await until(() => outs[0]!.committed.length + outs[1]!.committed.length === 40, 10_000, 'two instances');
    const sps = await Promise.all(jobs.map(async (j) => (await j.stop({ mode: 'suspend' })).savepoint!.path));

    const other = start(source, memorySink<Total>(), await tempDir(), 0, 1, sps, 16);
    await expect(other.done).rejects.toThrow(RestoreRefusedError);
    await expect(other.done).rejects.toThrow(/written with maxParallelism 8, the job now has 16/);

    const partial = start(source, memorySink<Total>(), await tempDir(), 0, 3, [sps[1]!]);
    await expect(partial.done).rejects.toThrow(/lacks instance 0/);

    // instance 0's own directory holds its savepoint of a 2-instance run: alone it cannot be rescaled
    const lone = start(source, memorySink<Total>(), dirsOf[0]!, 0, 3);
    await expect(lone.done).rejects.toThrow(/written by instance 0 of 2, this is instance 0 of 3/);
  }, 30_000);
});

describe('keyBy on several instances', () => {
  it('needs an exchange unless the input is declared partitioned by key group', () => {
    const source = new KeyGroupLogs();
    const p = new Pipeline({ name: 'x', subtask: 0, parallelism: 2, logger: silentLogger });
    expect(() => p.source('orders', source).keyBy((o) => o.customer).reduce('r', (a) => a)).toThrow(/runs on 2 instances.*exchange.*prePartitioned/);
    const routed: string[] = [];
    const q = new Pipeline({
      name: 'y',
      subtask: 1,
      parallelism: 2,
      logger: silentLogger,
      exchange: {
        route: (input, _key, ctx) => {
          routed.push(`${ctx.jobName}/${ctx.stepName} ${ctx.subtask}/${ctx.parallelism}/${ctx.maxParallelism}`);
          return input;
        },
      },
    });
    const s = q.source('orders', source);
    s.keyBy((o) => o.customer).reduce('r', (a) => a);
    s.keyBy((o) => o.customer, { prePartitioned: true }).reduce('pre', (a) => a);
    expect(routed).toEqual(['y/r 1/2/128']);
  });
});

describe('generatorSource across a rescale', () => {
  /** Runs `n` instances of an unbounded generator (5 splits) until each committed some records, suspends, then `m` from the set. */
  async function generatorRescale(n: number, m: number): Promise<string[]> {
    const source = generatorSource({ splits: 5, generate: (split, offset) => `${split}:${offset}`, batchSize: 10, ratePerSecond: 400 });
    const run = (dir: string, subtask: number, parallelism: number, out: MemorySink<string>, restoreFrom?: string[]) => {
      const p = new Pipeline({ name: 'gen-rescale', subtask, parallelism, checkpoints: { dir, intervalMs: 40 }, logger: silentLogger, restart: { kind: 'none' }, pollTimeoutMs: 20, ...(restoreFrom ? { restoreFrom } : {}) });
      p.source('gen', source).sink('out', out);
      return p.start();
    };
    const dirs1 = await Promise.all(Array.from({ length: n }, () => tempDir()));
    const first = dirs1.map(() => memorySink<string>());
    const jobs = first.map((out, i) => run(dirs1[i]!, i, n, out));
    await until(() => first.every((o) => o.committed.length >= 40), 20_000, `${n} generator instances`);
    const set = await Promise.all(jobs.map(async (j) => (await j.stop({ mode: 'suspend' })).savepoint!.path));
    const dirs2 = await Promise.all(Array.from({ length: m }, (_, j) => (j < n ? dirs1[j]! : tempDir())));
    const second = dirs2.map(() => memorySink<string>());
    const jobs2 = second.map((out, j) => run(dirs2[j]!, j, m, out, set));
    await until(() => second.every((o) => o.committed.length >= 40), 20_000, `${m} generator instances`);
    await Promise.all(jobs2.map((j) => j.stop({ mode: 'suspend' })));
    return [...first, ...second].flatMap((o) => o.committed);
  }

  for (const [n, m] of [
    [2, 3],
    [3, 2],
  ] as const) {
    it(`${n} -> ${m}: every split's records once, without gaps (each split read by its one new owner from its savepoint offset)`, async () => {
      const got = await generatorRescale(n, m);
      expect(new Set(got).size, 'duplicates').toBe(got.length);
      const bySplit = new Map<number, number[]>();
      for (const r of got) {
        const [s, o] = r.split(':').map(Number) as [number, number];
        bySplit.set(s, [...(bySplit.get(s) ?? []), o]);
      }
      expect([...bySplit.keys()].sort()).toEqual([0, 1, 2, 3, 4]);
      for (const [s, offsets] of bySplit) {
        offsets.sort((a, b) => a - b);
        expect(offsets, `split ${s}`).toEqual(offsets.map((_, i) => i));
      }
    }, 60_000);
  }
});
