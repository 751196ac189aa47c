/**
 * Query the ingest output with DuckDB: one view per stream (`clicks`, `orders`, `heartbeats`,
 * `big_orders`) over its Parquet files, with the `dt` and `hour` partition columns.
 *
 *   node --import tsx examples/ods-ingest/query.ts .weir-demo "SELECT hour, count(*) FROM clicks GROUP BY ALL ORDER BY ALL"
 */

import { DuckDBInstance } from '@duckdb/node-api';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [outDir = '.weir-demo', sql = 'SELECT * FROM streams'] = process.argv.slice(2);
const tables = resolve(outDir, 'tables');
const streams = readdirSync(tables, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('_') && !e.name.startsWith('.'));
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();
const counts: string[] = [];
for (const s of streams) {
  const view = s.name.replace(/[^a-zA-Z0-9]/g, '_');
  await db.run(`CREATE VIEW ${view} AS SELECT * FROM read_parquet('${join(tables, s.name)}/*/*/*.parquet', hive_partitioning = true, union_by_name = true)`);
  counts.push(`SELECT '${view}' AS stream, count(*) AS rows, count(DISTINCT (dt, hour)) AS partitions FROM ${view}`);
}
await db.run(`CREATE VIEW streams AS ${counts.join(' UNION ALL ')}`);
const result = await db.runAndReadAll(sql);
console.table(result.getRowObjectsJson());
db.closeSync();
instance.closeSync();
