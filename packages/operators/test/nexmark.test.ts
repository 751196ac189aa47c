import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Pipeline, heapStateBackend, memorySink, silentLogger, type Stream } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { NexmarkGenerator, nexmarkSource, nexmarkWatermarks, q0, q1, q2, q3, type NexmarkEvent } from '../src/nexmark/index.js';
import { sorted } from './support/harness.js';
import { tempDirs } from './support/temp-dirs.js';

const EVENTS = 50_000;
const SEED = 42;

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
  query(p.source('nexmark', nexmarkSource({ seed: SEED, events: EVENTS, splits: 4 }), { watermarks: nexmarkWatermarks() })).sink('out', out.sink);
  await p.run();
  return out.committed;
}

describe('Nexmark queries equal the same queries in DuckDB', () => {
  it('q0, q1, q2, q3', async () => {
    const dir = await tempDirs.make();
    const gen = new NexmarkGenerator({ seed: SEED });
    const rows: Record<NexmarkEvent['kind'], string[]> = { person: [], auction: [], bid: [] };
    for (let n = 0; n < EVENTS; n++) {
      const e = gen.event(n);
      rows[e.kind].push(JSON.stringify(e.kind === 'person' ? e.person : e.kind === 'auction' ? e.auction : e.bid));
    }
    for (const kind of ['person', 'auction', 'bid'] as const) await writeFile(join(dir, `${kind}.jsonl`), rows[kind].join('\n') + '\n');
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    for (const kind of ['person', 'auction', 'bid'] as const) await db.run(`CREATE TABLE ${kind} AS SELECT * FROM read_json_auto('${join(dir, `${kind}.jsonl`)}')`);
    const sql = async (query: string) => (await db.runAndReadAll(query)).getRowObjectsJson();

    const bidCols = 'auction::BIGINT AS auction, bidder::BIGINT AS bidder, price::BIGINT AS price, channel, url, dateTime::BIGINT AS dateTime, extra';
    expect(sorted(await runQuery(q0))).toEqual(sorted(numbers(await sql(`SELECT ${bidCols} FROM bid`))));
    expect(sorted(await runQuery(q1))).toEqual(sorted(numbers(await sql(`SELECT ${bidCols.replace('price::BIGINT AS price', 'floor(price * 0.908)::BIGINT AS price')} FROM bid`))));
    expect(sorted(await runQuery(q2))).toEqual(sorted(numbers(await sql('SELECT auction::BIGINT AS auction, price::BIGINT AS price FROM bid WHERE auction % 123 = 0'))));
    const q3Rows = await runQuery((e) => q3(e));
    expect(q3Rows.length).toBeGreaterThan(0);
    expect(sorted(q3Rows)).toEqual(
      sorted(numbers(await sql("SELECT P.name, P.city, P.state, A.id::BIGINT AS id FROM auction A JOIN person P ON A.seller = P.id WHERE A.category = 10 AND P.state IN ('OR', 'ID', 'CA')"))),
    );
  }, 120_000);
});

/** DuckDB's JSON rows carry BIGINTs as strings: back to numbers. */
function numbers(rows: Array<Record<string, unknown>>): unknown[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+$/.test(v) && k !== 'extra' ? Number(v) : v])));
}
