/** The generated Nexmark events as DuckDB tables `person`, `auction`, `bid`; queries return plain rows. */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { NexmarkGenerator, type NexmarkConfig, type NexmarkEvent } from '../../src/nexmark/index.js';

export type Sql = (query: string) => Promise<Array<Record<string, unknown>>>;

export async function nexmarkDuckDb(config: NexmarkConfig, events: number): Promise<Sql> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-nexmark-'));
  const gen = new NexmarkGenerator(config);
  const rows: Record<NexmarkEvent['kind'], string[]> = { person: [], auction: [], bid: [] };
  for (let n = 0; n < events; n++) {
    const e = gen.event(n);
    rows[e.kind].push(JSON.stringify(e.kind === 'person' ? e.person : e.kind === 'auction' ? e.auction : e.bid));
  }
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  for (const kind of ['person', 'auction', 'bid'] as const) {
    await writeFile(join(dir, `${kind}.jsonl`), rows[kind].join('\n') + '\n');
    await db.run(`CREATE TABLE ${kind} AS SELECT * FROM read_json_auto('${join(dir, `${kind}.jsonl`)}')`);
  }
  await rm(dir, { recursive: true, force: true });
  return async (query) => numbers((await db.runAndReadAll(query)).getRowObjectsJson());
}

/** DuckDB's JSON rows carry BIGINTs as strings: back to numbers. */
function numbers(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+$/.test(v) && k !== 'extra' ? Number(v) : v])));
}
