/** DuckDB, the independent reader of the CDC tests' Parquet. */

import { DuckDBInstance } from '@duckdb/node-api';
import type { ReferenceRow } from './changes.js';

export async function duckdb(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A snapshot file as DuckDB reads it, in the oracle's shape. */
export async function snapshotRows(file: string): Promise<ReferenceRow[]> {
  const rows = await duckdb(`SELECT _key, name, price, stock, _ts FROM read_parquet('${file}') ORDER BY _key`);
  return rows.map((r) => ({ _key: r._key as string, name: r.name as string, price: r.price as number, stock: BigInt(r.stock as bigint), _ts: r._ts as number }));
}

