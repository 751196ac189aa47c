/**
 * The CDC upsert table's vocabulary: a change folded to its latest version per key, file names
 * of deltas and snapshots, and what travels in checkpoints (committables and writer progress).
 */

import type { Row } from '../snapshots/parquet-rows.js';

/** What a change does to its key's row. */
export type ChangeOp = 'insert' | 'update' | 'delete';

/** A change reduced to what the table needs: insert and update are both upserts. */
export interface TableChange {
  readonly key: string;
  readonly ts: number;
  /** undefined: the key is deleted. */
  readonly row: Row | undefined;
}

/** Columns the sink adds to every file (user schemas may not use these names). */
export const KEY_COLUMN = '_key';
export const TS_COLUMN = '_ts';
export const OP_COLUMN = '_op';
export const META_COLUMNS = [KEY_COLUMN, TS_COLUMN, OP_COLUMN] as const;

/** The compacted base of a partition: the whole table as of the partition's end. */
export const SNAPSHOT_FILE = 'snapshot.parquet';
export const SNAPSHOT_TMP = '.snapshot.parquet.tmp';
export const SUCCESS_FILE = '_SUCCESS';
const DELTA = /^delta-(\d+)-(\d+)-(\d+)\.parquet$/;

export const deltaName = (subtask: number, checkpointId: number, seq: number): string => `delta-${subtask}-${checkpointId}-${seq}.parquet`;
export const pendingName = (visible: string): string => `.${visible}.pending`;

/** Visible delta files of a listing in the order they were committed. */
export function deltasInOrder(names: Iterable<string>): string[] {
  const found: Array<{ name: string; order: [number, number] }> = [];
  for (const name of names) {
    const m = DELTA.exec(name);
    if (m !== null) found.push({ name, order: [Number(m[2]), Number(m[3])] });
  }
  return found.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1]).map((f) => f.name);
}

/** A partition's time range and directory (relative to the table). */
export interface PartitionRef {
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

/** What the writer hands the committer at barrier n. */
export interface CdcCommittable {
  /** Deltas written hidden at the barrier, published by `commit`. */
  readonly deltas: Array<{ readonly dir: string; readonly pending: string; readonly visible: string; readonly changes: number }>;
  /** Partitions to fold into base snapshots, in time order; `previous` holds the base to start from. */
  readonly compact: Array<{ readonly partition: PartitionRef; readonly previous: string | undefined }>;
}

/** The writer's progress, checkpointed. */
export interface CdcWriterState {
  /** Start of the first partition that had a change. */
  first?: number;
  /** Start of the next partition to compact (everything before it has a snapshot). */
  next?: number;
  /** Start of the latest partition that had a change. */
  last?: number;
  /** Changes that arrived for partitions already compacted (handed to `onLate`). */
  late: number;
}
