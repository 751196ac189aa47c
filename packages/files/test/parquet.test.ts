import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { bucketedFileSink } from '../src/index.js';
import { parquetFormat } from '../src/parquet.js';
import { HOUR, sinkContext, T0, tempDir, walk } from './helpers.js';

interface Ev {
  stream: string;
  id: number;
  ts: number;
}

async function duckdb(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const toArrow = (records: readonly Ev[]) =>
  arrow.tableFromArrays({ stream: records.map((r) => r.stream), id: Int32Array.from(records, (r) => r.id), ts: Float64Array.from(records, (r) => r.ts) });

describe('Parquet parts through @weir/formats', () => {
  it('writes Parquet parts, merges them when the partition is ready, DuckDB reads every record once', async () => {
    const dir = await tempDir();
    const sink = bucketedFileSink<Ev>({ storage: dir, streamOf: (e) => e.stream, timestampOf: (e) => e.ts, format: parquetFormat<Ev>({ toArrow, compression: 'zstd' }) });
    const ctx = sinkContext();
    const committer = await sink.createCommitter(ctx);
    const writer = await sink.createWriter(ctx);
    let id = 0;
    for (let cp = 1; cp <= 4; cp++) {
      await writer.write(
        Array.from({ length: 250 }, () => ({ stream: id % 2 ? 'a' : 'b', id: id++, ts: T0 + (id % 3600) * 1000 })),
        [],
      );
      if (cp === 4) await writer.onWatermark!(T0 + HOUR);
      await committer.commit(cp, await writer.prepareCommit(cp));
      if (cp === 3) expect((await walk(dir)).visible).toHaveLength(6); // three parts per stream
    }
    const { visible, hidden } = await walk(dir);
    expect(hidden).toEqual([]);
    expect(visible).toEqual(['a/dt=2024-05-01/hour=00/part-0-4-m1.parquet', 'b/dt=2024-05-01/hour=00/part-0-4-m0.parquet']);
    const [row] = await duckdb(`SELECT count(*)::INT AS n, count(DISTINCT id)::INT AS ids, min(id)::INT AS lo, max(id)::INT AS hi FROM read_parquet('${join(dir, '*/*/*/*.parquet')}')`);
    expect(row).toEqual({ n: 1000, ids: 1000, lo: 0, hi: 999 });
    const perStream = await duckdb(`SELECT stream, count(*)::INT AS n FROM read_parquet('${join(dir, '*/*/*/*.parquet')}') GROUP BY stream ORDER BY stream`);
    expect(perStream).toEqual([
      { stream: 'a', n: 500 },
      { stream: 'b', n: 500 },
    ]);
  });
});
