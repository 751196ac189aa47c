import { DuckDBInstance } from '@duckdb/node-api';
import { Pipeline, WatermarkStrategies, memorySink, silentLogger, type Source } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { fileSource, LocalFileStorage, type FileSourceOptions, type Row, type TableSplit } from '../../src/index.js';
import { inCommitOrder } from '../../src/source/table-reader.js';
import { tempDir } from '../helpers.js';
import { events, HOUR, T0, writeTables } from './tables.js';

async function duckdbRows(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    return (await db.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

/** Run a bounded job over `source`; the records with their table and event time, in arrival order. */
async function readAll<T>(source: Source<T, TableSplit, null>, timestampOf: (r: T) => number) {
  const out = memorySink<{ r: T; late: boolean }>();
  const pipeline = new Pipeline({ name: 'read-tables', logger: silentLogger });
  pipeline
    .source('files', source, { watermarks: WatermarkStrategies.forGenerator(() => ({ onEvent() {}, currentWatermark: () => Number.MIN_SAFE_INTEGER }), timestampOf) })
    .keyBy(() => 'all')
    .process('late-check', () => ({
      processElement(r: T, ctx) {
        ctx.emit({ r, late: ctx.timestamp <= ctx.timers.currentWatermark() });
      },
    }))
    .sink('out', out);
  expect((await pipeline.run()).outcome).toBe('finished');
  return out.committed;
}

describe('fileSource', () => {
  it('reads every row of every announced partition once, in partition order, nested values as DuckDB reads them, none late under partition-time watermarks', async () => {
    const dir = await tempDir();
    // b has no data in hour 1 (an empty, announced partition)
    const evs = events({ a: [0, 1, 2], b: [0, 2] }, 150);
    await writeTables(dir, evs, ['a', 'b']);
    const rows = await readAll(fileSource({ storage: `${dir}/tables`, tables: ['a', 'b'], from: T0, to: T0 + 3 * HOUR }), (r: Row) => r.ts as number);
    expect(rows.length).toBe(evs.length);
    expect(rows.filter((x) => x.late)).toEqual([]);
    // partition order per table
    for (const t of ['a', 'b']) {
      const hours = rows.filter((x) => evs[(x.r.id as number) - 1]!.stream === t).map((x) => Math.floor(((x.r.ts as number) - T0) / HOUR));
      expect(hours).toEqual([...hours].sort((p, q) => p - q));
    }
    const oracle = await duckdbRows(
      `SELECT id, "user", device, tags, epoch_ms(ts)::DOUBLE AS ts FROM read_parquet('${dir}/tables/*/*/*/*.parquet') ORDER BY id`,
    );
    const got = rows.map((x) => x.r).sort((p, q) => (p.id as number) - (q.id as number));
    expect(got.map((r) => ({ ...r, ts: Number(r.ts) }))).toEqual(oracle.map((r) => ({ ...r, ts: Number(r.ts) })));
    expect(oracle.length).toBe(evs.length);
  }, 60_000);

  it('projects columns, maps rows with recordOf and stops at `to`', async () => {
    const dir = await tempDir();
    const evs = events({ a: [0, 1, 2] }, 100);
    await writeTables(dir, evs, ['a']);
    const source = fileSource({ storage: new LocalFileStorage(`${dir}/tables`), tables: ['a'], from: T0 + HOUR, to: T0 + 2 * HOUR, columns: ['id', 'ts'], recordOf: (row, table) => ({ table, id: row.id as number, ts: row.ts as number, keys: Object.keys(row).sort() }) });
    const rows = (await readAll(source, (r) => r.ts)).map((x) => x.r);
    const want = evs.filter((e) => e.ts >= T0 + HOUR && e.ts < T0 + 2 * HOUR).map((e) => e.id);
    expect(rows.map((r) => r.id).sort((p, q) => p - q)).toEqual(want);
    expect(new Set(rows.map((r) => `${r.table}:${r.keys.join(',')}`))).toEqual(new Set(['a:id,ts']));
  }, 60_000);

  it('orders part files by commit (checkpoint, subtask, sequence), merged files included', () => {
    expect(inCommitOrder(['part-0-10-0.parquet', 'part-1-9-0.parquet', 'part-0-9-1.parquet', 'part-0-9-0.parquet', 'part-0-12-m0.parquet', 'x.parquet'])).toEqual([
      'part-0-9-0.parquet',
      'part-0-9-1.parquet',
      'part-1-9-0.parquet',
      'part-0-10-0.parquet',
      'part-0-12-m0.parquet',
      'x.parquet',
    ]);
  });

  it('validates its options', () => {
    const make = (o: Record<string, unknown>) => () => fileSource({ storage: '/tmp/x', tables: ['a'], from: T0, ...o } as FileSourceOptions);
    expect(make({ to: T0 })).toThrow('to: must be after from');
    expect(make({ table: ['a'] })).toThrow("unknown key 'table' (did you mean 'tables'?)");
    expect(make({ readiness: 'success' })).toThrow('readiness');
    expect(make({ timeZone: 'Mars/Base' })).toThrow('partitionPattern');
    expect(make({ tables: ['a', 'a'] })).toThrow('lists a table twice');
  });
});
