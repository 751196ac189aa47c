/** The ingest examples' closing summary: what DuckDB found, how to query it, and one JSON line last. */

import { relative } from 'node:path';
import type { Reconciliation } from './reconcile.js';

/** Print the summary; returns the exit code (1 when any check failed). */
export function printSummary(o: { title: string; check: Reconciliation; outputDir: string; label: string; details?: string[] }): number {
  const { check } = o;
  const streams = [...check.tables.rowsByStream].map(([s, r]) => `${s} ${r.rows}`).join(', ');
  const reasons = [...check.reasons].map(([r, n]) => `${r} ${n}`).join(', ');
  const rel = relative(process.cwd(), o.outputDir);
  const shown = rel === '' ? '.' : rel.startsWith('..') ? o.outputDir : rel;
  const lines = [
    o.title,
    `  records in (Kafka)      ${check.recordsIn}`,
    `  rows out (DuckDB)       ${check.recordsOut}: ${streams}; no duplicates: ${[...check.tables.rowsByStream.values()].every((r) => r.rows === r.distinct) ? 'yes' : 'NO'}`,
    `  dead letters            ${check.deadLetters}${reasons ? ` (${reasons}), each with its Kafka position` : ''}`,
    `  in = out + dead letters ${check.recordsIn === check.recordsOut + check.deadLetters ? 'yes' : 'NO'}`,
    `  partitions ready        ${check.partitionsReady} (_SUCCESS + a notification each, empty hours too${check.readyBeforeData > 0 ? `; ${check.readyBeforeData} of them the empty hour before the first event, where the first watermark fell` : ''})`,
    ...(o.details ?? []),
    `  output                  ${o.outputDir}`,
    `  query it                node --import tsx examples/ods-ingest/query.ts ${shown} "SELECT hour, count(*) AS clicks FROM clicks GROUP BY ALL ORDER BY ALL"`,
    `  or with the DuckDB CLI  duckdb -c "SELECT count(*) FROM read_parquet('${shown}/tables/*/*/*/*.parquet', union_by_name = true)"`,
  ];
  const ok = check.problems.length === 0;
  if (!ok) lines.push(`FAILED:\n  ${check.problems.slice(0, 20).join('\n  ')}${check.problems.length > 20 ? `\n  … and ${check.problems.length - 20} more` : ''}`);
  console.log(lines.join('\n'));
  const json = { [o.label]: ok ? 'ok' : 'failed', recordsIn: check.recordsIn, recordsOut: check.recordsOut, deadLetters: check.deadLetters, partitionsReady: check.partitionsReady, outputDir: o.outputDir };
  console.log(JSON.stringify(ok ? json : { ...json, problems: check.problems.length }));
  return ok ? 0 : 1;
}
