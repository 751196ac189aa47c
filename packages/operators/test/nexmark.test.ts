import { Pipeline, heapStateBackend, memorySink, silentLogger, type Stream } from '@weir/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { NEXMARK_SQL, NexmarkGenerator, nexmarkSource, nexmarkTimeOf, nexmarkWatermarks, q0, q1, q11, q13, q13SideValue, q2, q3, q4, q5, q7, q8, type NexmarkEvent, type NexmarkQueryName } from '../src/nexmark/index.js';
import { runScenario, sorted } from './support/harness.js';
import { nexmarkDuckDb, type Sql } from './support/nexmark-duckdb.js';

const EVENTS = 50_000;
const SEED = 42;
// 1000 events/s: 50 s of event time, so there are several windows and sessions to compare
const CONFIG = { seed: SEED, eventsPerSecond: 1000 };

describe('Nexmark generator', () => {
  it('is deterministic by seed, with the reference proportions (1 person, 3 auctions, 46 bids per 50 events)', () => {
    const a = new NexmarkGenerator({ seed: SEED });
    const b = new NexmarkGenerator({ seed: SEED });
    const other = new NexmarkGenerator({ seed: SEED + 1 });
    expect([...Array(500).keys()].map((n) => a.event(n))).toEqual([...Array(500).keys()].map((n) => b.event(n)));
    expect(JSON.stringify(a.event(77))).not.toBe(JSON.stringify(other.event(77)));
    const kinds = { person: 0, auction: 0, bid: 0 };
    for (let n = 0; n < 5_000; n++) kinds[a.event(n).kind]++;
    expect(kinds).toEqual({ person: 100, auction: 300, bid: 4_600 });
  });
});

/** Runs `query` over EVENTS events in 4 splits and returns what it committed. */
async function runQuery<O>(query: (events: Stream<NexmarkEvent>) => Stream<O>): Promise<O[]> {
  const out = memorySink<O>();
  const p = new Pipeline({ name: 'nexmark', checkpoints: { intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger });
  query(p.source('nexmark', nexmarkSource({ ...CONFIG, events: EVENTS, splits: 4 }), { watermarks: nexmarkWatermarks() })).sink('out', out);
  await p.run();
  return out.committed;
}

describe('Nexmark queries equal the same queries in DuckDB', () => {
  let sql: Sql;
  beforeAll(async () => {
    sql = await nexmarkDuckDb(CONFIG, EVENTS);
  });

  const same = async <O>(name: NexmarkQueryName, query: (events: Stream<NexmarkEvent>) => Stream<O>) => {
    const got = await runQuery(query);
    expect(got.length).toBeGreaterThan(0);
    expect(sorted(got)).toEqual(sorted(await sql(NEXMARK_SQL[name])));
  };

  it('q0 pass-through', () => same('q0', q0));
  it('q1 currency conversion', () => same('q1', q1));
  it('q2 selection', () => same('q2', q2));
  it('q3 local item suggestion (regular join)', () => same('q3', (e) => q3(e)));
  it('q4 average closing price per category (the last running average per category)', async () => {
    const last = new Map<number, number>();
    for (const r of await runQuery(q4)) last.set(r.category, r.avg);
    const expected = (await sql(NEXMARK_SQL.q4)) as Array<{ category: number; avg: number }>;
    expect(last.size).toBe(expected.length);
    for (const { category, avg } of expected) expect(last.get(category)).toBeCloseTo(avg, 6);
  });
  it('q5 hot items (sliding window counts, then the top per window)', () => same('q5', q5));
  it('q7 highest bid (tumbling window)', () => same('q7', q7));
  it('q8 monitor new users (tumbling window join)', () => same('q8', q8));
  it('q11 user sessions (session windows)', () => same('q11', q11));
  it('q13 bounded side input join (async lookup)', () => same('q13', (e) => q13(e, q13SideValue)));
});

// a few thousand events through one split, with a savepoint at the middle and a restored job for the rest
const RESTORE_EVENTS = 20_000;

describe('Nexmark queries equal DuckDB across a savepoint taken mid-stream and a restore (classic-level)', () => {
  let sql: Sql;
  const events: NexmarkEvent[] = [];
  beforeAll(async () => {
    sql = await nexmarkDuckDb(CONFIG, RESTORE_EVENTS);
    const gen = new NexmarkGenerator(CONFIG);
    for (let n = 0; n < RESTORE_EVENTS; n++) events.push(gen.event(n));
  });

  const restored = async <O>(query: (events: Stream<NexmarkEvent>) => Stream<O>): Promise<O[]> => {
    const got = await runScenario<NexmarkEvent, O>({ records: events, batchSize: 500, boundMs: 0, timestampOf: nexmarkTimeOf, build: (input) => ({ main: query(input) }), backend: 'classic-level', restoreAt: RESTORE_EVENTS / 2 + 500 });
    expect(got.main.length).toBeGreaterThan(0);
    return got.main;
  };
  const same = async <O>(name: NexmarkQueryName, query: (events: Stream<NexmarkEvent>) => Stream<O>) => {
    expect(sorted(await restored(query))).toEqual(sorted(await sql(NEXMARK_SQL[name])));
  };

  it('q0, q1, q2', async () => {
    await same('q0', q0);
    await same('q1', q1);
    await same('q2', q2);
  });
  it('q3 (regular join state restored)', () => same('q3', (e) => q3(e)));
  it('q4 (open auctions and running averages restored)', async () => {
    const last = new Map<number, number>();
    for (const r of await restored(q4)) last.set(r.category, r.avg);
    const expected = (await sql(NEXMARK_SQL.q4)) as Array<{ category: number; avg: number }>;
    expect(last.size).toBe(expected.length);
    for (const { category, avg } of expected) expect(last.get(category)).toBeCloseTo(avg, 6);
  });
  it('q5, q7 (sliding and tumbling window slices restored)', async () => {
    await same('q5', q5);
    await same('q7', q7);
  });
  it('q8, q11 (window join and sessions restored)', async () => {
    await same('q8', q8);
    await same('q11', q11);
  });
  it('q13 (async lookup)', () => same('q13', (e) => q13(e, q13SideValue)));
});
