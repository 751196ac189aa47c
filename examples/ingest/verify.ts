/** Independent checks of the demo's output: DuckDB reads the Parquet files back. */

import { DuckDBInstance } from '@duckdb/node-api';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface TableCheck {
  countsByPartition: Map<string, number>;
  orderTotal: number;
  columnsByPartition: Map<string, string[]>;
  sampleClick: Record<string, unknown> | undefined;
  hiddenFiles: string[];
  /** Per stream: rows and distinct keys (`id`, or `at` for streams without one) over all its files. */
  rowsByStream: Map<string, { rows: number; distinct: number }>;
}

/** Every directory below `root`, and the files starting with `.` (hidden, never left behind). */
async function walk(dir: string, onFile: (dir: string, name: string) => void): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) await walk(join(dir, e.name), onFile);
    else onFile(dir, e.name);
  }
}

export async function checkTables(root: string, streams: string[]): Promise<TableCheck> {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  const countsByPartition = new Map<string, number>();
  const columnsByPartition = new Map<string, string[]>();
  const hiddenFiles: string[] = [];
  let orderTotal = 0;
  let sampleClick: Record<string, unknown> | undefined;
  const partitions = new Map<string, string[]>();
  await walk(root, (dir, name) => {
    if (name.startsWith('.')) hiddenFiles.push(join(dir, name));
    else if (name.endsWith('.parquet')) partitions.set(dir, [...(partitions.get(dir) ?? []), join(dir, name)]);
  });
  const rowsByStream = new Map<string, { rows: number; distinct: number }>();
  for (const stream of streams) {
    const all = [...partitions].filter(([dir]) => dir.startsWith(join(root, stream) + '/')).flatMap(([, files]) => files);
    if (all.length > 0) {
      const list = `[${all.map((f) => `'${f}'`).join(', ')}]`;
      const cols = await db.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${list}, union_by_name = true)`);
      const key = cols.getRowObjects().some((r) => r.column_name === 'id') ? 'id' : '"at"';
      const r = await db.runAndReadAll(`SELECT count(*)::INTEGER AS n, count(DISTINCT ${key})::INTEGER AS d FROM read_parquet(${list}, union_by_name = true)`);
      const { n, d } = r.getRowObjects()[0]!;
      rowsByStream.set(stream, { rows: Number(n), distinct: Number(d) });
    }
    for (const [dir, files] of partitions) {
      if (!dir.startsWith(join(root, stream) + '/')) continue;
      const key = `${stream}|${dir.slice(join(root, stream).length + 1)}`;
      const list = `[${files.map((f) => `'${f}'`).join(', ')}]`;
      const count = await db.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet(${list}, union_by_name = true)`);
      countsByPartition.set(key, Number(count.getRowObjects()[0]!.n));
      const cols = await db.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${list}, union_by_name = true)`);
      columnsByPartition.set(key, cols.getRowObjects().map((r) => String(r.column_name)));
      if (stream === 'orders' || stream === 'big-orders') {
        const sum = await db.runAndReadAll(`SELECT sum(total)::DOUBLE AS s FROM read_parquet(${list})`);
        orderTotal += Number(sum.getRowObjects()[0]!.s ?? 0);
      }
      if (stream === 'clicks' && sampleClick === undefined) {
        const row = await db.runAndReadAll(
          `SELECT id::VARCHAR AS id, device.os AS os, len(tags)::INTEGER AS tags, attrs['lang'] AS lang, kind, epoch_ms("at")::BIGINT AS at FROM read_parquet(${list}) ORDER BY id LIMIT 1`,
        );
        sampleClick = row.getRowObjects()[0] as Record<string, unknown>;
      }
    }
  }
  db.closeSync();
  instance.closeSync();
  return { countsByPartition, orderTotal, columnsByPartition, sampleClick, hiddenFiles, rowsByStream };
}
