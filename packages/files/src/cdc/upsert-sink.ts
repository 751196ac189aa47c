/**
 * CDC upsert sink: change events (insert / update / delete per key, millisecond event time) ->
 * a table of the latest row per key, materialised per event-time partition as Parquet:
 * merge-on-read deltas while a partition is open, folded into one base snapshot (the whole table
 * as of the partition's end) when the watermark passes the partition's end, which also announces
 * it (`_SUCCESS`). Exactly once through core's two-phase sink contract: deltas are written hidden
 * at the barrier and published, and snapshots compacted, only after the checkpoint is durable.
 *
 * Upstream, `dedupe` (by change id) and `orderByTime` (by row key) from `@weir/operators` remove
 * duplicates and restore each key's timestamp order; the fold is order-insensitive anyway (a
 * change only replaces an older version), so reordering inside a checkpoint never matters.
 */

import { MAX_WATERMARK, OptionsError, validateOptions, type Sink, type SinkCommitter, type SinkContext, type SinkWriter } from '@weir/core';
import { changesToParquet } from './arrow-rows.js';
import { compactPartition, type CompactionContext } from './compaction.js';
import { FoldedTable } from './fold.js';
import { deltaName, pendingName, SNAPSHOT_TMP, type CdcCommittable, type CdcWriterState, type PartitionRef } from './model.js';
import { cdcUpsertSinkOptionsSchema, resolveCdcOptions, type CdcUpsertSinkOptions, type ResolvedCdcOptions } from './options.js';

export type CdcUpsertSink<C> = Sink<C, unknown, unknown>;

const join = (...parts: string[]) => parts.filter((p) => p !== '').join('/');
/** Watermarks at or beyond this mean "end of input" (core's MAX_WATERMARK). */
const END = Math.min(MAX_WATERMARK, 8.64e15);

/** Throws an `OptionsError` on unknown keys, a schema using a reserved column, a bad pattern or zone. */
export function cdcUpsertSink<C>(options: CdcUpsertSinkOptions<C>): CdcUpsertSink<C> {
  validateOptions(cdcUpsertSinkOptionsSchema, options, 'cdcUpsertSink options');
  const o = resolveCdcOptions(options);
  const compaction: CompactionContext = { storage: o.storage, table: o.table, schema: o.schema, parquet: o.parquet, ...(o.compactionHook ? { hook: o.compactionHook } : {}) };
  const sink: Sink<C, CdcCommittable, CdcWriterState> = {
    async createWriter(ctx, restored) {
      if (ctx.parallelism !== 1) throw new OptionsError('cdcUpsertSink', [`runs with parallelism 1 (one writer owns the table's snapshots); got ${ctx.parallelism}`]);
      return new CdcWriter(o, ctx, restored);
    },
    async createCommitter(): Promise<SinkCommitter<CdcCommittable>> {
      return {
        async commit(_id, committables) {
          for (const c of committables) {
            for (const d of c.deltas) await publish(o, d);
            for (const p of c.compact) await compactPartition(compaction, p.partition, p.previous);
          }
        },
      };
    },
    async abortLeftovers(_ctx, restored) {
      const keep = new Set(restored.flatMap((c) => c.deltas.map((d) => join(d.dir, d.pending))));
      const walk = async (dir: string, depth: number): Promise<void> => {
        for (const e of await o.storage.list(dir)) {
          const path = join(dir, e.name);
          if (e.isDirectory) {
            if (depth < 8 && !e.name.startsWith('.') && !e.name.startsWith('_')) await walk(path, depth + 1);
          } else if ((e.name.startsWith('.delta-') && !keep.has(path)) || e.name === SNAPSHOT_TMP) await o.storage.delete(path);
        }
      };
      await walk(o.table, 0);
    },
  };
  return sink as unknown as CdcUpsertSink<C>;
}

/** Rename a hidden delta to its visible name; a redo finds it published already (or compacted away). */
async function publish(o: { storage: ResolvedCdcOptions<unknown>['storage'] }, d: CdcCommittable['deltas'][number]): Promise<void> {
  try {
    await o.storage.rename(join(d.dir, d.pending), join(d.dir, d.visible));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    // gone: published by an earlier (re)commit, then possibly folded into the snapshot
  }
}

class CdcWriter<C> implements SinkWriter<C, CdcCommittable> {
  private readonly open = new Map<string, { partition: PartitionRef; table: FoldedTable }>();
  private state: CdcWriterState;
  private watermark = -Infinity;

  constructor(
    private readonly o: ResolvedCdcOptions<C>,
    private readonly ctx: SinkContext,
    restored: CdcWriterState | undefined,
  ) {
    this.state = restored ? { ...restored } : { late: 0 };
  }

  write(records: readonly C[], timestamps: readonly number[]): void {
    const { o } = this;
    let late: C[] | undefined;
    for (let i = 0; i < records.length; i++) {
      const c = records[i]!;
      const ts = o.timestampOf ? o.timestampOf(c) : timestamps[i]!;
      if (!Number.isFinite(ts)) throw new Error(`cdcUpsertSink: change of key ${JSON.stringify(o.keyOf(c))} has no event time (set timestampOf or assign timestamps upstream)`);
      const p = o.buckets.partitionOf(ts);
      if (this.state.next !== undefined && p.start < this.state.next) {
        (late ??= []).push(c);
        continue;
      }
      const op = o.opOf(c);
      if (op !== 'insert' && op !== 'update' && op !== 'delete') throw new Error(`cdcUpsertSink: unknown op ${JSON.stringify(op)} (insert, update or delete)`);
      let bucket = this.open.get(p.path);
      if (bucket === undefined) this.open.set(p.path, (bucket = { partition: p, table: new FoldedTable() }));
      bucket.table.apply({ key: o.keyOf(c), ts, row: op === 'delete' ? undefined : o.rowOf(c) });
      this.state.first = Math.min(this.state.first ?? p.start, p.start);
      this.state.last = Math.max(this.state.last ?? p.start, p.start);
    }
    if (late !== undefined) {
      this.state.late += late.length;
      if (o.onLate) o.onLate(late);
      else this.ctx.logger.warn(`cdcUpsertSink: ${late.length} changes for partitions already compacted were not applied (first: key ${JSON.stringify(o.keyOf(late[0]!))}); order changes upstream (orderByTime) or set onLate`);
    }
  }

  onWatermark(watermark: number): void {
    this.watermark = Math.max(this.watermark, watermark);
  }

  async prepareCommit(checkpointId: number): Promise<CdcCommittable[]> {
    const { o } = this;
    const deltas: Array<CdcCommittable['deltas'][number]> = [];
    let seq = 0;
    for (const { partition, table } of [...this.open.values()].sort((a, b) => a.partition.start - b.partition.start)) {
      const dir = join(o.table, partition.path);
      const visible = deltaName(this.ctx.subtask, checkpointId, seq++);
      const pending = pendingName(visible);
      const changes = table.all();
      await o.storage.writeFile(join(dir, pending), await changesToParquet(o.schema, changes, true, o.parquet), { sync: true });
      deltas.push({ dir, pending, visible, changes: changes.length });
    }
    this.open.clear();
    return [{ deltas, compact: this.planCompactions() }];
  }

  /** Partitions whose end the watermark passed, in order (at the end of input: up to the last with data). */
  private planCompactions(): CdcCommittable['compact'] {
    const s = this.state;
    const plan: Array<CdcCommittable['compact'][number]> = [];
    if (s.first === undefined) return plan;
    const ended = this.watermark >= END;
    let p: PartitionRef = this.o.buckets.partitionOf(s.next ?? s.first);
    let previous = s.next !== undefined && s.next > s.first ? this.o.buckets.partitionOf(s.next - 1).path : undefined;
    while (ended ? p.start <= s.last! : p.end - 1 <= this.watermark) {
      plan.push({ partition: { path: p.path, start: p.start, end: p.end }, previous });
      previous = p.path;
      p = this.o.buckets.partitionOf(p.end);
    }
    if (plan.length > 0) s.next = p.start; // later changes before it are late
    return plan;
  }

  snapshotState(): CdcWriterState {
    return { ...this.state };
  }

  async close(): Promise<void> {
    this.open.clear();
  }
}
