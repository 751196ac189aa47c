/** Run an example as a child process (as a user would) and read back what it claims, independently. */

import { spawn } from 'node:child_process';
import { DuckDBInstance } from '@duckdb/node-api';

export interface ExampleRun {
  code: number | null;
  out: string;
  /** The last line of stdout, parsed (every example ends with one JSON object). */
  summary: Record<string, unknown>;
}

export function runExample(entry: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ExampleRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=weir-source', '--import', 'tsx', entry, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let out = '';
    child.stdout.on('data', (d) => ((stdout += d), (out += d)));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      let summary: Record<string, unknown> = {};
      try {
        summary = JSON.parse(last) as Record<string, unknown>;
      } catch {
        // left empty: the test's expectations on it fail and print `out`
      }
      resolve({ code, out, summary });
    });
  });
}

/** Rows of every Parquet file below `tables` (DuckDB's own glob, not the example's file list). */
export async function parquetRows(tables: string): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    const r = await db.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet('${tables}/**/*.parquet', union_by_name = true)`);
    return Number(r.getRowObjects()[0]!.n);
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}
