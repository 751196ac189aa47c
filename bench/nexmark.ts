/**
 * nexmark.<query>: events per second of each Nexmark query on Weir (classic-level state, checkpoints every 10 s, 4 splits of the
 * in-process generator, results counted, not kept), with DuckDB running the same query in SQL over
 * the same events as the baseline (events / query time, table load excluded, result rows counted
 * inside DuckDB).
 *
 * Context, not compared: Flink 1.13 per core (Nexmark repo, events/s): q0 155k, q1 158k, q2 175k,
 * q4 34k, q5 22k, q7 12k, q8 146k, q11 39.7k.
 */

import { Pipeline, classicLevelStateBackend, silentLogger, type Sink, type Stream } from '@weir/core';
import { NEXMARK_SQL, nexmarkSource, nexmarkWatermarks, q0, q1, q11, q13, q13SideValue, q2, q3, q4, q5, q7, q8, type NexmarkEvent, type NexmarkQueryName } from '@weir/operators/nexmark';
import { nexmarkDuckDb } from '../packages/operators/test/support/nexmark-duckdb.js';
import type { BenchResult } from './support/result.js';

const EVENTS = Number(process.env.WEIR_BENCH_NEXMARK_EVENTS ?? 1_000_000);
const CONFIG = { seed: 7, eventsPerSecond: 10_000 };

// Stream is invariant in its record type: the table holds queries of different result types
const QUERIES: Record<NexmarkQueryName, (events: Stream<NexmarkEvent>) => Stream<any>> = {
  q0,
  q1,
  q2,
  q3: (e) => q3(e),
  q4,
  q5,
  q7,
  q8,
  q11,
  q13: (e) => q13(e, q13SideValue),
};

function countingSink(): Sink<unknown, never, null> {
  return {
    async createWriter() {
      return { write: () => {}, prepareCommit: async () => [], close: async () => {} };
    },
    async createCommitter() {
      return { async commit() {} };
    },
  };
}

async function weirSeconds(query: (events: Stream<NexmarkEvent>) => Stream<any>): Promise<number> {
  // as the Nexmark issue asks: classic-level state and checkpoints every 10 s (exactly-once sinks commit on them)
  const p = new Pipeline({ name: 'bench-nexmark', checkpoints: { intervalMs: 10_000 }, stateBackend: classicLevelStateBackend(), logger: silentLogger });
  query(p.source('nexmark', nexmarkSource({ ...CONFIG, events: EVENTS, splits: 4 }), { watermarks: nexmarkWatermarks() })).sink('out', countingSink());
  const t0 = performance.now();
  await p.run();
  return (performance.now() - t0) / 1000;
}

/** Published per-core figures (events/s) of Flink 1.13 on RocksDB with exactly-once checkpoints: context, not a baseline. */
const FLINK_PER_CORE: Partial<Record<NexmarkQueryName, number>> = { q0: 155_000, q1: 158_000, q2: 175_000, q4: 34_000, q5: 22_000, q7: 12_000, q8: 146_000, q11: 39_700 };

export async function run(): Promise<BenchResult[]> {
  const sql = await nexmarkDuckDb(CONFIG, EVENTS);
  const results: BenchResult[] = [];
  for (const name of Object.keys(QUERIES) as NexmarkQueryName[]) {
    const weir = EVENTS / (await weirSeconds(QUERIES[name]));
    const t0 = performance.now();
    await sql(`SELECT count(*) FROM (${NEXMARK_SQL[name]})`); // computed in DuckDB, not copied into JS
    const duckdb = EVENTS / ((performance.now() - t0) / 1000);
    const flink = FLINK_PER_CORE[name];
    results.push({
      id: `nexmark.${name}.events-per-s`,
      value: weir,
      unit: 'events/s',
      baseline: duckdb,
      ratio: weir / duckdb,
      baselineLabel: 'DuckDB SQL',
      ...(flink !== undefined ? { reference: { value: flink, label: 'Flink 1.13 per core', source: 'Nexmark project README (RocksDB, exactly-once)' } } : {}),
    });
  }
  return results;
}
