/**
 * Merge-on-read over a CDC upsert table: the newest compacted snapshot plus the deltas of the
 * partitions after it, folded by timestamp — what the table holds right now, before the open
 * partitions are compacted. A partition whose snapshot is visible is read from the snapshot
 * alone (its deltas may still be on their way out).
 */

import { LocalFileStorage } from '../storage/local.js';
import type { FileStorage } from '../storage/types.js';
import type { Row } from '../snapshots/parquet-rows.js';
import { changesFromParquet } from './arrow-rows.js';
import { FoldedTable } from './fold.js';
import { deltasInOrder, KEY_COLUMN, SNAPSHOT_FILE, TS_COLUMN } from './model.js';

const join = (...parts: string[]) => parts.filter((p) => p !== '').join('/');

/** Partition directories of a table (leaf directories), sorted by path: `dt=…/hour=…` sorts by time. */
export async function listPartitions(storage: FileStorage, table: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string, depth: number): Promise<void> => {
    const entries = await storage.list(join(table, rel));
    const dirs = entries.filter((e) => e.isDirectory && !e.name.startsWith('.') && !e.name.startsWith('_'));
    if (dirs.length === 0 || entries.some((e) => !e.isDirectory)) {
      if (rel !== '') out.push(rel);
    }
    if (depth < 8) for (const d of dirs) await walk(join(rel, d.name), depth + 1);
  };
  await walk('', 0);
  return out.sort();
}

export interface UpsertTableView {
  /** Live rows with their key and last change time (`_key`, `_ts`), sorted by key. */
  readonly rows: Row[];
  /** The compacted partition the view starts from (undefined: none yet). */
  readonly snapshot: string | undefined;
  /** Partitions whose deltas were folded on top of it. */
  readonly deltaPartitions: string[];
}

/** The table's current content (merge-on-read). */
export async function readUpsertTable(storage: FileStorage | string, table: string): Promise<UpsertTableView> {
  const s = typeof storage === 'string' ? new LocalFileStorage(storage) : storage;
  const partitions = await listPartitions(s, table);
  const names = new Map<string, string[]>();
  for (const p of partitions) names.set(p, (await s.list(join(table, p))).filter((e) => !e.isDirectory).map((e) => e.name));
  let base = -1;
  partitions.forEach((p, i) => {
    if (names.get(p)!.includes(SNAPSHOT_FILE)) base = i;
  });
  const folded = new FoldedTable();
  if (base >= 0) for (const c of changesFromParquet(await s.readFile(join(table, partitions[base]!, SNAPSHOT_FILE)))) folded.apply(c);
  const deltaPartitions: string[] = [];
  for (const p of partitions.slice(base + 1)) {
    const deltas = deltasInOrder(names.get(p)!);
    if (deltas.length > 0) deltaPartitions.push(p);
    for (const d of deltas) for (const c of changesFromParquet(await s.readFile(join(table, p, d)))) folded.apply(c);
  }
  return {
    rows: folded.live().map((c) => ({ ...c.row, [KEY_COLUMN]: c.key, [TS_COLUMN]: c.ts })),
    snapshot: base >= 0 ? partitions[base] : undefined,
    deltaPartitions,
  };
}
