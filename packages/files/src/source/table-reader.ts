/**
 * The file source's reader. Per assigned table it walks partitions in time order: wait until
 * the next partition is announced, list its committed files (commit order), read them row group
 * by row group (one row group per table in memory, projected columns only), and hand out
 * batches whose split state is the position after their last row. Watermarks come from
 * partition time: while a partition is read its table's watermark is at least the partition's
 * start - 1, and once it was read completely, its end - 1 (every later row is in a later
 * partition); the rows' own event time (the job's watermark strategy) can only raise it.
 */

import type { PollResult, SourceBatch, SourceReader, SourceReaderContext } from '@weir/core';
import { listCommittedFiles } from '../sink/merge.js';
import { partitionDir } from '../sink/model.js';
import type { PartitionRange, TimeBuckets } from '../sink/time-buckets.js';
import type { FileStorage } from '../storage/types.js';
import type { TableSplit } from './file-source.js';
import type { Row } from './options.js';
import { openParquetRowGroups, type ParquetRowGroups } from './parquet-row-groups.js';
import type { PartitionReadiness } from './readiness.js';

export interface ResolvedSourceOptions<T> {
  storage: FileStorage;
  buckets: TimeBuckets;
  to: number | undefined;
  readiness: PartitionReadiness;
  pollIntervalMs: number;
  columns: readonly string[] | undefined;
  batchSize: number;
  recordOf: (row: Row, table: string) => T;
}

/** One table being read. */
interface Cursor {
  split: TableSplit;
  range: PartitionRange;
  dir: string;
  /** Committed files of the partition, once it is ready. */
  files?: string[];
  fileIndex: number;
  parquet?: ParquetRowGroups;
  /** Rows of the current row group from `split.row` on, and how many of them were handed out. */
  rows?: Row[];
  taken: number;
  checkedAt: number;
  /** When this table started waiting for its first partition (warned once after WAIT_WARN_MS; Infinity: no more warning). */
  waitingSince: number;
  paused: boolean;
}

/** A table waiting this long for its first partition is logged (a `from` before the table's first announced hour waits forever). */
const WAIT_WARN_MS = 60_000;

type Step<T> = SourceBatch<T, TableSplit> | 'finished' | 'waiting';

export class TableReader<T> implements SourceReader<T, TableSplit> {
  private readonly cursors = new Map<string, Cursor>();
  private rotation = 0;
  private wake: (() => void) | undefined;
  private interrupted = false;

  constructor(
    private readonly o: ResolvedSourceOptions<T>,
    private readonly ctx: SourceReaderContext,
  ) {}

  async start(): Promise<void> {
    await this.o.readiness.open?.(() => this.wake?.());
  }

  addSplits(splits: TableSplit[]): void {
    for (const split of splits) {
      const range = this.o.buckets.partitionOf(split.partition);
      this.cursors.set(split.id, { split, range, dir: partitionDir(split.table, range.path), fileIndex: 0, taken: 0, checkedAt: -Infinity, waitingSince: Date.now(), paused: false });
    }
    this.wake?.();
  }

  removeSplits(splitIds: string[]): void {
    for (const id of splitIds) this.cursors.delete(id);
  }

  async poll(maxWaitMs: number): Promise<PollResult<T, TableSplit>> {
    const deadline = Date.now() + maxWaitMs;
    this.interrupted = false;
    for (;;) {
      const batches: SourceBatch<T, TableSplit>[] = [];
      const finishedSplits: string[] = [];
      let records = 0;
      const cursors = [...this.cursors.values()];
      this.rotation = (this.rotation + 1) % Math.max(1, cursors.length);
      for (let k = 0; k < cursors.length && records < this.o.batchSize; k++) {
        const c = cursors[(k + this.rotation) % cursors.length]!;
        if (c.paused) continue;
        // at most one batch per table and poll: a partition's end (an empty batch that moves the
        // watermark) reaches the runtime, and alignment can pause the table, before its next hour is read
        const step = await this.step(c);
        if (step === 'waiting') continue;
        if (step === 'finished') {
          finishedSplits.push(c.split.id);
          this.cursors.delete(c.split.id);
          continue;
        }
        batches.push(step);
        records += step.records.length;
      }
      if (batches.length > 0 || finishedSplits.length > 0 || this.interrupted) return { batches, finishedSplits };
      const left = deadline - Date.now();
      if (left <= 0) return { batches: [] };
      await this.sleep(this.o.readiness.pushed === true ? left : Math.min(left, this.o.pollIntervalMs));
    }
  }

  /** The next batch of table `c`: records, an empty batch that records progress, or nothing yet. */
  private async step(c: Cursor): Promise<Step<T>> {
    const o = this.o;
    for (;;) {
      if (o.to !== undefined && c.range.start >= o.to) return 'finished';
      if (c.files === undefined) {
        const now = Date.now();
        if (o.readiness.pushed !== true && now - c.checkedAt < o.pollIntervalMs) return 'waiting';
        c.checkedAt = now;
        if (!(await o.readiness.isReady({ stream: c.split.table, partition: c.range.path, dir: c.dir }, o.storage))) {
          if (now - c.waitingSince >= WAIT_WARN_MS) {
            c.waitingSince = Infinity;
            this.ctx.logger.warn(
              { table: c.split.table, partition: c.range.path },
              'file source: a table waits a minute for its first partition to be announced (a `from` before the first announced partition waits forever: use readiness "none" for such a range)',
            );
          }
          return 'waiting';
        }
        c.files = inCommitOrder((await listCommittedFiles(o.storage, c.dir)).filter((f) => f.endsWith('.parquet')));
        c.fileIndex = c.split.file === undefined ? 0 : c.files.indexOf(c.split.file);
        if (c.fileIndex < 0) throw new Error(`fileSource: ${c.dir}/${c.split.file} (the checkpointed position of table '${c.split.table}') is gone; files now: ${c.files.join(', ')}`);
      }
      if (c.fileIndex >= c.files.length) return this.partitionDone(c);
      const file = c.files[c.fileIndex]!;
      if (c.split.file !== file) c.split = { ...c.split, file, rowGroup: 0, row: 0 };
      c.parquet ??= await this.open(c, file);
      if (c.split.rowGroup >= c.parquet.rowGroupRows.length) {
        c.fileIndex++;
        c.parquet = undefined;
        continue;
      }
      c.rows ??= await this.readRows(c, file);
      if (c.taken >= c.rows.length) {
        c.rows = undefined;
        c.taken = 0;
        c.split = { ...c.split, rowGroup: c.split.rowGroup + 1, row: 0 };
        continue;
      }
      return this.rowsBatch(c, file);
    }
  }

  private rowsBatch(c: Cursor, file: string): SourceBatch<T, TableSplit> {
    const rows = c.rows!.slice(c.taken, c.taken + this.o.batchSize);
    const { table, rowGroup, row: firstRow } = c.split;
    const records = new Array<T>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      try {
        records[i] = this.o.recordOf(rows[i]!, table);
      } catch (err) {
        throw new Error(`fileSource: recordOf failed for ${c.dir}/${file} row group ${rowGroup} row ${firstRow + i}: ${(err as Error).message}`, { cause: err });
      }
    }
    c.taken += rows.length;
    c.split = { ...c.split, row: firstRow + rows.length };
    this.ctx.reportPendingRecords(table, c.rows!.length - c.taken);
    const partition = c.range.path;
    return {
      splitId: table,
      records,
      splitState: c.split,
      watermark: c.range.start - 1,
      positionOf: (i) => ({ partition, file, rowGroup, row: firstRow + i }),
    };
  }

  /** The partition was read completely: event time of this table reached its end. */
  private partitionDone(c: Cursor): SourceBatch<T, TableSplit> {
    const end = c.range.end;
    c.split = { id: c.split.id, table: c.split.table, partition: end, rowGroup: 0, row: 0 };
    c.range = this.o.buckets.partitionOf(end);
    c.dir = partitionDir(c.split.table, c.range.path);
    c.files = undefined;
    c.fileIndex = 0;
    c.parquet = undefined;
    c.checkedAt = -Infinity;
    c.waitingSince = Infinity; // waiting for later hours is normal when following a table
    return { splitId: c.split.id, records: [], splitState: c.split, watermark: end - 1 };
  }

  private async open(c: Cursor, file: string): Promise<ParquetRowGroups> {
    try {
      return await openParquetRowGroups(this.o.storage, `${c.dir}/${file}`, this.o.columns);
    } catch (err) {
      throw new Error(`fileSource: cannot read ${c.dir}/${file}: ${(err as Error).message}`, { cause: err });
    }
  }

  private async readRows(c: Cursor, file: string): Promise<Row[]> {
    try {
      return await c.parquet!.read(c.split.rowGroup, c.split.row);
    } catch (err) {
      throw new Error(`fileSource: cannot read row group ${c.split.rowGroup} of ${c.dir}/${file}: ${(err as Error).message}`, { cause: err });
    } finally {
      c.taken = 0;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  wakeup(): void {
    this.interrupted = true;
    this.wake?.();
  }

  pauseSplits(splitIds: string[]): void {
    for (const id of splitIds) {
      const c = this.cursors.get(id);
      if (c !== undefined) c.paused = true;
    }
  }

  resumeSplits(splitIds: string[]): void {
    for (const id of splitIds) {
      const c = this.cursors.get(id);
      if (c !== undefined) c.paused = false;
    }
    this.wake?.();
  }

  async close(): Promise<void> {
    this.wakeup();
    this.cursors.clear();
    await this.o.readiness.close?.();
  }
}

/**
 * Part files in the order they were committed: `part-<subtask>-<checkpoint>-<seq>` (merged:
 * `…-m<k>`) by checkpoint, then subtask, then sequence; other names after, by name.
 */
export function inCommitOrder(files: string[]): string[] {
  const key = (f: string): [number, number, number] => {
    const m = /^part-(\d+)-(\d+)-m?(\d+)/.exec(f);
    return m === null ? [Infinity, 0, 0] : [Number(m[2]), Number(m[1]), Number(m[3])];
  };
  return [...files].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2] || (a < b ? -1 : a > b ? 1 : 0);
  });
}
