import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Pipeline, heapStateBackend, memorySink, silentLogger, type Stream } from '@weir/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { NexmarkGenerator, nexmarkSource, nexmarkWatermarks, q0, q1, q11, q13, q2, q3, q4, q5, q7, q8, type NexmarkEvent } from '../src/nexmark/index.js';
import { sorted } from './support/harness.js';

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
  query(p.source('nexmark', nexmarkSource({ ...CONFIG, events: EVENTS, splits: 4 }), { watermarks: nexmarkWatermarks() })).sink('out', out.sink);
  await p.run();
  return out.committed;
}

describe('Nexmark queries equal the same queries in DuckDB', () => {
  let sql: (query: string) => Promise<unknown[]>;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-nexmark-'));
    const gen = new NexmarkGenerator(CONFIG);
    const rows: Record<NexmarkEvent['kind'], string[]> = { person: [], auction: [], bid: [] };
    for (let n = 0; n < EVENTS; n++) {
      const e = gen.event(n);
      rows[e.kind].push(JSON.stringify(e.kind === 'person' ? e.person : e.kind === 'auction' ? e.auction : e.bid));
    }
    for (const kind of ['person', 'auction', 'bid'] as const) await writeFile(join(dir, `${kind}.jsonl`), rows[kind].join('\n') + '\n');
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    for (const kind of ['person', 'auction', 'bid'] as const) await db.run(`CREATE TABLE ${kind} AS SELECT * FROM read_json_auto('${join(dir, `${kind}.jsonl`)}')`);
    await rm(dir, { recursive: true, force: true });
    sql = async (query) => numbers((await db.runAndReadAll(query)).getRowObjectsJson());
  });

  const bidCols = 'auction::BIGINT AS auction, bidder::BIGINT AS bidder, price::BIGINT AS price, channel, url, dateTime::BIGINT AS dateTime, extra';

  it('q0 pass-through', async () => {
    expect(sorted(await runQuery(q0))).toEqual(sorted(await sql(`SELECT ${bidCols} FROM bid`)));
  });
  it('q1 currency conversion', async () => {
    expect(sorted(await runQuery(q1))).toEqual(sorted(await sql(`SELECT ${bidCols.replace('price::BIGINT AS price', 'floor(price * 0.908)::BIGINT AS price')} FROM bid`)));
  });
  it('q2 selection', async () => {
    expect(sorted(await runQuery(q2))).toEqual(sorted(await sql('SELECT auction::BIGINT AS auction, price::BIGINT AS price FROM bid WHERE auction % 123 = 0')));
  });
  it('q3 local item suggestion (regular join)', async () => {
    const got = await runQuery((e) => q3(e));
    expect(got.length).toBeGreaterThan(0);
    expect(sorted(got)).toEqual(sorted(await sql("SELECT P.name, P.city, P.state, A.id::BIGINT AS id FROM auction A JOIN person P ON A.seller = P.id WHERE A.category = 10 AND P.state IN ('OR', 'ID', 'CA')")));
  });
  it('q4 average closing price per category (the last running average per category)', async () => {
    const last = new Map<number, number>();
    for (const r of await runQuery(q4)) last.set(r.category, r.avg);
    const expected = (await sql(`SELECT category::BIGINT AS category, avg(final) AS avg FROM (
        SELECT max(B.price) AS final, A.category FROM auction A JOIN bid B ON A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires GROUP BY A.id, A.category)
      GROUP BY category`)) as Array<{ category: number; avg: number }>;
    expect(last.size).toBe(expected.length);
    for (const { category, avg } of expected) expect(last.get(category)).toBeCloseTo(avg, 6);
  });
  it('q5 hot items (sliding window counts, then the top per window)', async () => {
    expect(sorted(await runQuery(q5))).toEqual(
      sorted(
        await sql(`WITH w AS (SELECT auction, (dateTime - dateTime % 2000) - k * 2000 AS start FROM bid, range(0, 5) t(k)),
                        c AS (SELECT start, auction, count(*) AS n FROM w GROUP BY ALL)
                   SELECT start::BIGINT AS start, auction::BIGINT AS auction, n::BIGINT AS count FROM c WHERE n = (SELECT max(n) FROM c c2 WHERE c2.start = c.start)`),
      ),
    );
  });
  it('q7 highest bid (tumbling window)', async () => {
    expect(sorted(await runQuery(q7))).toEqual(
      sorted(await sql(`SELECT ${bidCols} FROM bid B JOIN (SELECT dateTime - dateTime % 10000 AS ws, max(price) AS mp FROM bid GROUP BY 1) M ON B.dateTime - B.dateTime % 10000 = M.ws AND B.price = M.mp`)),
    );
  });
  it('q8 monitor new users (tumbling window join)', async () => {
    const got = await runQuery(q8);
    expect(got.length).toBeGreaterThan(0);
    expect(sorted(got)).toEqual(sorted(await sql('SELECT P.id::BIGINT AS id, P.name, A.reserve::BIGINT AS reserve FROM person P JOIN auction A ON P.id = A.seller AND P.dateTime - P.dateTime % 10000 = A.dateTime - A.dateTime % 10000')));
  });
  it('q11 user sessions (session windows)', async () => {
    expect(sorted(await runQuery(q11))).toEqual(
      sorted(
        await sql(`WITH o AS (SELECT bidder, dateTime, CASE WHEN dateTime - lag(dateTime) OVER (PARTITION BY bidder ORDER BY dateTime) <= 10000 THEN 0 ELSE 1 END AS new FROM bid),
                        s AS (SELECT bidder, dateTime, sum(new) OVER (PARTITION BY bidder ORDER BY dateTime RANGE UNBOUNDED PRECEDING) AS sid FROM o)
                   SELECT bidder::BIGINT AS bidder, count(*)::BIGINT AS count, min(dateTime)::BIGINT AS start, (max(dateTime) + 10000)::BIGINT AS "end" FROM s GROUP BY bidder, sid`),
      ),
    );
  });
  it('q13 bounded side input join (async lookup)', async () => {
    const side = (key: number) => `v${key % 97}`;
    expect(sorted(await runQuery((e) => q13(e, side)))).toEqual(sorted(await sql(`SELECT ${bidCols}, 'v' || ((auction % 10000) % 97) AS value FROM bid`)));
  });
});

/** DuckDB's JSON rows carry BIGINTs as strings: back to numbers. */
function numbers(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+$/.test(v) && k !== 'extra' ? Number(v) : v])));
}
