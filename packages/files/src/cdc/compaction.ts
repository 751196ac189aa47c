/**
 * Folding a partition's deltas into a new base snapshot (merge-on-read -> copy-on-write), run by
 * the committer after the checkpoint that planned it is durable. Every step is idempotent and the
 * directory tells which step is next, so a redo after a crash finishes the job:
 *
 * 1. base = previous partition's snapshot (none for the first partition) + this partition's
 *    deltas in commit order, folded by timestamp;
 * 2. write `.snapshot.parquet.tmp`, fsync, rename to `snapshot.parquet` (atomic: readers see
 *    the deltas or the snapshot, and a reader that sees the snapshot ignores the deltas);
 * 3. delete the deltas;
 * 4. write `_SUCCESS` (the partition is announced: its snapshot is final).
 */

import type * as arrow from 'apache-arrow';
import type { ParquetOptions } from '@weir/formats';
import type { FileStorage } from '../storage/types.js';
import { changesFromParquet, changesToParquet } from './arrow-rows.js';
import { FoldedTable } from './fold.js';
import { deltasInOrder, SNAPSHOT_FILE, SNAPSHOT_TMP, SUCCESS_FILE, type PartitionRef } from './model.js';

/** The step a compaction is about to run (tests inject crashes here). */
export type CompactionStep = 'write-snapshot' | 'publish-snapshot' | 'delete-deltas' | 'announce';
export type CompactionHook = (step: CompactionStep, partition: string) => void | Promise<void>;

export interface CompactionContext {
  readonly storage: FileStorage;
  readonly table: string;
  readonly schema: arrow.Schema;
  readonly parquet: ParquetOptions;
  readonly hook?: CompactionHook;
}

/** What `_SUCCESS` of a compacted partition says. */
export interface SnapshotSummary {
  readonly partition: string;
  readonly start: number;
  readonly end: number;
  /** Live rows in the snapshot. */
  readonly rows: number;
  /** Changes folded from this partition's deltas (absent when a redo found the snapshot already published). */
  readonly changes?: number;
  readonly deltas: number;
}

const join = (...parts: string[]) => parts.filter((p) => p !== '').join('/');

export async function compactPartition(ctx: CompactionContext, partition: PartitionRef, previous: string | undefined): Promise<SnapshotSummary | undefined> {
  const dir = join(ctx.table, partition.path);
  const names = new Set((await ctx.storage.list(dir)).filter((e) => !e.isDirectory).map((e) => e.name));
  if (names.has(SUCCESS_FILE)) return undefined; // done earlier
  const deltas = deltasInOrder(names);
  let summary: SnapshotSummary;
  if (!names.has(SNAPSHOT_FILE)) {
    const folded = new FoldedTable();
    if (previous !== undefined) {
      for (const c of changesFromParquet(await ctx.storage.readFile(join(ctx.table, previous, SNAPSHOT_FILE)))) folded.apply(c);
    }
    const baseRows = folded.applied;
    for (const d of deltas) for (const c of changesFromParquet(await ctx.storage.readFile(join(dir, d)))) folded.apply(c);
    const live = folded.live();
    summary = { partition: partition.path, start: partition.start, end: partition.end, rows: live.length, changes: folded.applied - baseRows, deltas: deltas.length };
    await ctx.hook?.('write-snapshot', partition.path);
    await ctx.storage.writeFile(join(dir, SNAPSHOT_TMP), await changesToParquet(ctx.schema, live, false, ctx.parquet), { sync: true });
    await ctx.hook?.('publish-snapshot', partition.path);
    await ctx.storage.rename(join(dir, SNAPSHOT_TMP), join(dir, SNAPSHOT_FILE));
  } else {
    // redo after the snapshot was published: recount from the file
    let rows = 0;
    for (const _ of changesFromParquet(await ctx.storage.readFile(join(dir, SNAPSHOT_FILE)))) rows++;
    summary = { partition: partition.path, start: partition.start, end: partition.end, rows, deltas: deltas.length };
  }
  await ctx.hook?.('delete-deltas', partition.path);
  for (const d of deltas) await ctx.storage.delete(join(dir, d));
  await ctx.hook?.('announce', partition.path);
  await ctx.storage.writeFile(join(dir, SUCCESS_FILE), JSON.stringify(summary), { sync: true });
  return summary;
}
