/**
 * The ingest examples' end check, against what the generator produced: DuckDB counts every
 * partition and every stream's distinct keys (nothing lost, nothing twice), the dead letters carry
 * reasons and Kafka positions, in = out + dead letters, and each partition was announced ready
 * (`_SUCCESS` and one notification per version, in hour order, with DuckDB's count).
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { committedJsonLines } from '../support/committed-lines.js';
import { HOUR, type Expected } from './generator.js';
import type { TopicMessage } from './read-topic.js';
import { checkTables, type TableCheck } from './verify.js';

export interface Reconciliation {
  recordsIn: number;
  recordsOut: number;
  deadLetters: number;
  partitionsReady: number;
  /** Announced (empty) partitions before the first event: the first watermark (event time minus the out-of-orderness bound) fell there. */
  readyBeforeData: number;
  /** Dead-letter reasons and how often each occurred. */
  reasons: Map<string, number>;
  tables: TableCheck;
  problems: string[];
}

interface Notification {
  stream: string;
  partition: string;
  recordCount: number;
  start: number;
  version: number;
}

const partitionOf = (t0: number, hour: number) => {
  const at = new Date(t0 + hour * HOUR);
  return `dt=${at.toISOString().slice(0, 10)}/hour=${String(at.getUTCHours()).padStart(2, '0')}`;
};

export async function reconcile(o: {
  tablesDir: string;
  deadLettersDir: string;
  expected: Expected;
  t0: number;
  streams: string[];
  /** Records of the ready topic (an independent KafkaJS read). */
  notifications: TopicMessage[];
}): Promise<Reconciliation> {
  const problems: string[] = [];
  const tables = await checkTables(o.tablesDir, o.streams);
  let recordsOut = 0;
  for (const n of tables.countsByPartition.values()) recordsOut += n;

  for (const [key, n] of o.expected.counts) {
    const [stream, h] = key.split('|') as [string, string];
    const part = `${stream}|${partitionOf(o.t0, Number(h))}`;
    const got = tables.countsByPartition.get(part) ?? 0;
    if (got !== n) problems.push(`${part}: ${got} rows, expected ${n}`);
  }
  for (const part of tables.countsByPartition.keys()) {
    const [stream, p] = part.split('|') as [string, string];
    const expectedHere = [...o.expected.counts.keys()].some((k) => k.startsWith(`${stream}|`) && partitionOf(o.t0, Number(k.split('|')[1])) === p);
    if (!expectedHere && tables.countsByPartition.get(part)! > 0) problems.push(`${part}: rows in a partition that should be empty`);
  }
  for (const [stream, { rows, distinct }] of tables.rowsByStream) if (rows !== distinct) problems.push(`${stream}: ${rows - distinct} duplicate rows`);
  if (Math.abs(tables.orderTotal - o.expected.orderTotal) > 1e-6 * Math.max(1, o.expected.orderTotal)) problems.push(`order total ${tables.orderTotal} != ${o.expected.orderTotal}`);
  if (tables.hiddenFiles.length > 0) problems.push(`hidden files left: ${tables.hiddenFiles.slice(0, 3).join(', ')}`);

  const dead = committedJsonLines<{ step: string; error: string; position?: { split?: string; offset?: string } }>(o.deadLettersDir);
  const reasons = new Map<string, number>();
  for (const d of dead) {
    const reason = d.error.split(':')[0]!;
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    if (d.position?.split === undefined || d.position.offset === undefined) problems.push(`a dead letter without its Kafka position: ${JSON.stringify(d)}`);
  }
  if (dead.length !== o.expected.bad) problems.push(`${dead.length} dead letters, expected ${o.expected.bad}`);
  const recordsIn = o.expected.good + o.expected.bad;
  if (recordsOut + dead.length !== recordsIn) problems.push(`in (${recordsIn}) != out (${recordsOut}) + dead letters (${dead.length})`);

  // notifications: one per (partition, version), in hour order per stream; the newest version has DuckDB's count
  const notes = o.notifications.map((m) => JSON.parse(m.value ?? 'null') as Notification);
  const seen = new Set<string>();
  const latest = new Map<string, Notification>();
  for (const n of notes) {
    const id = `${n.stream}|${n.partition}|v${n.version}`;
    if (seen.has(id)) problems.push(`notification sent twice: ${id}`);
    seen.add(id);
    const key = `${n.stream}|${n.partition}`;
    if ((latest.get(key)?.version ?? 0) < n.version) latest.set(key, n);
  }
  for (const stream of o.streams) {
    const starts = notes.filter((n) => n.stream === stream && n.version === 1).map((n) => n.start);
    if (starts.some((s, i) => i > 0 && s <= starts[i - 1]!)) problems.push(`${stream}: notifications out of hour order`);
  }
  for (const [part, rows] of tables.countsByPartition) {
    const note = latest.get(part);
    if (note === undefined) problems.push(`${part}: never announced`);
    else if (note.recordCount !== rows) problems.push(`${part}: announced ${note.recordCount} records, DuckDB counts ${rows}`);
  }
  // every stream's every hour is announced, the empty ones too (the silent hour of a stream)
  const lastHour = Math.max(...[...o.expected.counts.keys()].map((k) => Number(k.split('|')[1])));
  for (const stream of o.streams) {
    for (let h = 0; h <= lastHour; h++) if (!latest.has(`${stream}|${partitionOf(o.t0, h)}`)) problems.push(`${stream}|${partitionOf(o.t0, h)}: not announced`);
  }
  for (const [part, n] of latest) {
    const [stream, p] = part.split('|') as [string, string];
    if (!existsSync(join(o.tablesDir, stream, p, '_SUCCESS'))) problems.push(`${part}: announced but no _SUCCESS`);
    if (n.recordCount > 0 && !tables.countsByPartition.has(part)) problems.push(`${part}: announced ${n.recordCount} records, no files`);
  }
  const readyBeforeData = [...latest.values()].filter((n) => n.start < o.t0).length;
  return { recordsIn, recordsOut, deadLetters: dead.length, partitionsReady: latest.size, readyBeforeData, reasons, tables, problems };
}
