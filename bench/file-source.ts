/**
 * files.source-rows-per-s: the file source reading nested Parquet tables (struct, list, string,
 * timestamp columns; zstd; written by the file sink with parquet-wasm) into JS objects, against
 * DuckDB streaming the same files to JS row objects (`yieldRowObjectJs`) in the same rounds.
 * backfill.features-vs-live: rows/s of the realtime features over those plays as a backfill from
 * Parquet (examples/backfill) over the live run from Kafka, same events, same rounds.
 */

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Pipeline, memorySink, silentLogger } from '@weir/core';
import { startCluster } from '@weir/embedded-kafka';
import { fileSource } from '@weir/files';
import { events, writeTables, T0, HOUR } from '../packages/files/test/source/tables.js';
import { backfillFeatures, hoursOf, ingestPlays, liveFeatures, producePlays } from '../examples/backfill/backfill.js';
import type { BenchResult } from './support/result.js';
import { ROUNDS, size } from './support/sizes.js';
import { alternate, comparison } from './support/stats.js';

const PER_HOUR = size('WEIR_BENCH_FILE_SOURCE_ROWS_PER_HOUR', 50_000, 5_000);
const HOURS = 8;
const PLAYS = size('WEIR_BENCH_BACKFILL_PLAYS', 20_000, 4_000);

async function parquetFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile() && e.name.endsWith('.parquet')) out.push(join(e.parentPath, e.name));
  return out;
}

async function sourceVsDuckdb(work: string): Promise<BenchResult> {
  const evs = events({ a: [...Array(HOURS).keys()] }, PER_HOUR);
  await writeTables(work, evs, ['a'], undefined, 100_000);
  const files = await parquetFiles(join(work, 'tables'));
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  const r = await alternate(
    {
      weir: async () => {
        const pipeline = new Pipeline({ name: 'bench-file-source', logger: silentLogger });
        pipeline.source('files', fileSource({ storage: join(work, 'tables'), tables: ['a'], from: T0, to: T0 + HOURS * HOUR, batchSize: 5000 })).filter('count-only', () => false).sink('out', memorySink());
        const t0 = performance.now();
        const job = pipeline.start();
        await job.done;
        const rows = job.status().steps.find((s) => s.step === 'files')!.recordsOut;
        if (rows !== evs.length) throw new Error(`file source read ${rows} rows, expected ${evs.length}`);
        return rows / ((performance.now() - t0) / 1000);
      },
      duckdb: async () => {
        const t0 = performance.now();
        let rows = 0;
        const result = await db.stream(`SELECT * FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}])`);
        for await (const chunk of result.yieldRowObjectJs()) rows += chunk.length;
        if (rows !== evs.length) throw new Error(`duckdb read ${rows} rows, expected ${evs.length}`);
        return rows / ((performance.now() - t0) / 1000);
      },
    },
    { rounds: ROUNDS },
  );
  db.closeSync();
  instance.closeSync();
  return comparison('files.source-rows-per-s', 'rows/s', r.weir, r.duckdb, { baselineLabel: 'DuckDB read_parquet streamed to JS row objects' });
}

async function backfillVsLive(work: string): Promise<BenchResult> {
  const cluster = await startCluster({ brokers: 1 });
  try {
    await producePlays(cluster.bootstrapServers, 'plays', PLAYS);
    const tables = join(work, 'plays-tables');
    await ingestPlays(cluster.bootstrapServers, 'plays', tables, join(work, 'ingest'));
    const { from, to } = hoursOf(PLAYS);
    const rate = async (run: (dir: string) => Promise<unknown>, dir: string) => {
      const t0 = performance.now();
      await run(dir);
      const s = (performance.now() - t0) / 1000;
      await rm(dir, { recursive: true, force: true });
      return PLAYS / s;
    };
    const r = await alternate(
      {
        backfill: (round) => rate((d) => backfillFeatures(tables, from, to, d), join(work, `backfill-${round}`)),
        live: (round) => rate((d) => liveFeatures(cluster.bootstrapServers, 'plays', d), join(work, `live-${round}`)),
      },
      { rounds: ROUNDS },
    );
    return comparison('backfill.features-vs-live', 'rows/s', r.backfill, r.live, { baselineLabel: 'the same feature steps live from Kafka (embedded cluster)' });
  } finally {
    await cluster.stop();
  }
}

export async function run(): Promise<BenchResult[]> {
  const work = await mkdtemp(join(tmpdir(), 'weir-bench-file-source-'));
  try {
    return [await sourceVsDuckdb(work), await backfillVsLive(work)];
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
