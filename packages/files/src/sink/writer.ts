/**
 * The bucketed writer: routes each batch to (stream, partition) buckets, appends to hidden
 * in-progress part files, rolls every bucket at a barrier (in parallel, bounded), plans merges
 * and hands one committable per checkpoint to the committer.
 */

import { MAX_WATERMARK, MIN_WATERMARK, type SinkContext, type SinkWriter } from '@weir/core';
import type { BulkWriter } from '../format/types.js';
import { forEachLimit } from './concurrency.js';
import { MANIFEST_PREFIX, partitionDir, partitionKey, type AnnouncerState, type FilesCommittable, type FilesWriterState, type MergePlan, type PartFile, type PartitionState, type PublishOp } from './model.js';
import type { ResolvedOptions } from './options.js';
import type { PartitionRange } from './time-buckets.js';

interface OpenPart<T> {
  name: string;
  writer: BulkWriter<T>;
  records: number;
  openedAt: number;
}

interface Bucket<T> {
  key: string;
  stream: string;
  range: PartitionRange;
  dir: string;
  state: PartitionState;
  part: OpenPart<T> | undefined;
}

interface RolledPart {
  key: string;
  dir: string;
  final: string;
  pending: string;
  bytes: number;
  records: number;
}

export class BucketedWriter<T> implements SinkWriter<T, FilesCommittable> {
  private readonly buckets = new Map<string, Bucket<T>>();
  private readonly partitions = new Map<string, PartitionState>();
  private readonly streams = new Set<string>();
  private rolled: RolledPart[] = [];
  private watermark = MIN_WATERMARK;
  private checkpointId: number;
  private seq = 0;
  private closed = false;
  private lastStream: string | undefined;
  private lastBucket: Bucket<T> | undefined;

  constructor(
    private readonly o: ResolvedOptions<T>,
    private readonly ctx: SinkContext,
    restored: FilesWriterState | undefined,
    private announcer: AnnouncerState | undefined,
    private readonly announcerShared: { get(): AnnouncerState | undefined },
  ) {
    this.checkpointId = ctx.nextCheckpointId;
    if (restored !== undefined) {
      this.watermark = restored.watermark;
      for (const s of restored.streams) this.streams.add(s);
      for (const p of restored.partitions) this.partitions.set(partitionKey(p.stream, p.path), p);
    }
  }

  write(records: readonly T[], timestamps: readonly number[]): void | Promise<void> {
    const o = this.o;
    const groups = new Map<Bucket<T>, T[]>();
    let late: T[] | undefined;
    let lateInfo: Array<{ stream: string; partition: string }> | undefined;
    let lateByStream: Map<string, number> | undefined;
    // the group of the previous record's bucket (records of one bucket usually come in runs)
    let groupOf: Bucket<T> | undefined;
    let group: T[] | undefined;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      const ts = o.timestampOf !== undefined ? o.timestampOf(r) : timestamps[i]!;
      if (!Number.isFinite(ts) || ts === MIN_WATERMARK) throw new Error(`file sink ${this.ctx.stepName}: record without event time (pass timestampOf or assign timestamps at the source)`);
      const stream = o.streamOf(r);
      let b = this.lastBucket;
      if (b === undefined || stream !== this.lastStream || ts < b.range.start || ts >= b.range.end) {
        b = this.bucketFor(stream, ts);
        this.lastBucket = b;
        this.lastStream = stream;
      }
      const s = b.state;
      s.recordsIn++;
      if (ts < s.minTs) s.minTs = ts;
      if (ts > s.maxTs) s.maxTs = ts;
      if (this.watermark >= s.end + o.delayMs) {
        if (o.metrics !== undefined) (lateByStream ??= new Map()).set(stream, (lateByStream.get(stream) ?? 0) + 1);
        if (o.late.mode === 'side-output') {
          s.dead++;
          (late ??= []).push(r);
          (lateInfo ??= []).push({ stream, partition: s.path });
          continue;
        }
        s.lateDirty = true;
      }
      s.recordsOut++;
      if (b !== groupOf) {
        groupOf = b;
        group = groups.get(b);
        if (group === undefined) groups.set(b, (group = []));
      }
      group!.push(r);
    }
    if (lateByStream !== undefined) for (const [stream, n] of lateByStream) o.metrics!.late(stream, n);
    if (late !== undefined) o.late.onLate?.(late, lateInfo!);
    let waits: Promise<void>[] | undefined;
    const toRoll: Bucket<T>[] = [];
    for (const [b, list] of groups) {
      const part = (b.part ??= this.openPart(b));
      part.records += list.length;
      const w = part.writer.write(list);
      if (w !== undefined) (waits ??= []).push(w);
      if (part.writer.bytes >= o.maxPartBytes) toRoll.push(b);
    }
    if (waits === undefined && toRoll.length === 0) return undefined;
    return (async () => {
      if (waits !== undefined) await Promise.all(waits);
      await forEachLimit(toRoll, o.concurrency, (b) => this.roll(b));
    })();
  }

  private bucketFor(stream: string, ts: number): Bucket<T> {
    const range = this.o.buckets.partitionOf(ts);
    const key = partitionKey(stream, range.path);
    let b = this.buckets.get(key);
    if (b !== undefined) return b;
    this.streams.add(stream);
    let state = this.partitions.get(key);
    if (state === undefined) {
      // first data of a partition that already closed (announced, maybe empty, or forgotten):
      // appended late data makes it a new version
      const reopened = this.o.late.mode === 'reannounce' && this.watermark >= range.end + this.o.delayMs;
      state = {
        stream,
        path: range.path,
        start: range.start,
        end: range.end,
        recordsIn: 0,
        recordsOut: 0,
        dead: 0,
        minTs: Infinity,
        maxTs: -Infinity,
        version: reopened ? 2 : 1,
        closedVersion: reopened ? 1 : 0,
        lateDirty: false,
        files: [],
      };
      this.partitions.set(key, state);
    }
    b = { key, stream, range, dir: partitionDir(stream, range.path), state, part: undefined };
    this.buckets.set(key, b);
    return b;
  }

  private openPart(b: Bucket<T>): OpenPart<T> {
    const name = `part-${this.ctx.subtask}-${this.checkpointId}-${this.seq++}${this.o.format.extension}`;
    return { name, writer: this.o.format.open(this.o.storage, `${b.dir}/${this.writingName(name)}`), records: 0, openedAt: Date.now() };
  }

  /** Hidden name of a part while written: in progress, or pending at once where writes appear only when closed. */
  private writingName(part: string): string {
    return this.o.storage.writesAppearOnClose === true ? `.${part}.pending` : `.${part}.inprogress`;
  }

  /** In-progress -> pending (durable). */
  private async roll(b: Bucket<T>): Promise<void> {
    const part = b.part;
    if (part === undefined) return;
    b.part = undefined;
    await part.writer.finish();
    if (this.closed) {
      // an action of a failed attempt still running after close: leave nothing behind
      await this.o.storage.delete(`${b.dir}/${this.writingName(part.name)}`);
      return;
    }
    const pending = `.${part.name}.pending`;
    if (this.writingName(part.name) !== pending) await this.o.storage.rename(`${b.dir}/.${part.name}.inprogress`, `${b.dir}/${pending}`);
    this.rolled.push({ key: b.key, dir: b.dir, final: part.name, pending, bytes: part.writer.bytes, records: part.records });
  }

  onWatermark(watermark: number): void | Promise<void> {
    if (watermark <= this.watermark) return undefined;
    this.watermark = watermark;
    // buckets whose partition ended (or parts older than the rollover time) are rolled now
    const now = Date.now();
    const toRoll: Bucket<T>[] = [];
    for (const b of this.buckets.values()) {
      if (b.part !== undefined) {
        if (b.range.end <= watermark || now - b.part.openedAt >= this.o.rolloverMs) toRoll.push(b);
      } else if (b.range.end <= watermark) this.dropBucket(b); // deleting the current entry keeps the iteration valid
    }
    if (toRoll.length === 0) return undefined;
    return forEachLimit(toRoll, this.o.concurrency, async (b) => {
      await this.roll(b);
      if (b.range.end <= watermark) this.dropBucket(b);
    });
  }

  private dropBucket(b: Bucket<T>): void {
    this.buckets.delete(b.key);
    if (this.lastBucket === b) this.lastBucket = undefined;
  }

  async prepareCommit(checkpointId: number): Promise<FilesCommittable[]> {
    const o = this.o;
    await forEachLimit([...this.buckets.values()], o.concurrency, (b) => this.roll(b));
    this.buckets.clear();
    this.lastBucket = undefined;
    const rolled = this.rolled;
    this.rolled = [];
    const newByKey = new Map<string, RolledPart[]>();
    for (const r of rolled) {
      let l = newByKey.get(r.key);
      if (l === undefined) newByKey.set(r.key, (l = []));
      l.push(r);
    }

    const publish: PublishOp[] = [];
    const merges: MergePlan[] = [];
    let mergeSeq = 0;
    const closedNow = new Set<string>();
    for (const [key, state] of this.partitions) {
      const fresh = newByKey.get(key) ?? [];
      if (state.lateDirty && state.closedVersion === state.version) state.version++;
      state.lateDirty = false;
      const closing = this.watermark >= state.end + o.delayMs && state.closedVersion < state.version;
      const dir = partitionDir(state.stream, state.path);
      const candidates: Array<PartFile & { pending?: string }> = [...state.files, ...fresh.map((f) => ({ name: f.final, bytes: f.bytes, records: f.records, pending: f.pending }))];
      const small = candidates.filter((f) => f.bytes < o.merge.targetBytes);
      const mergeNow = o.merge.mode !== 'off' && small.length >= 2 && (closing || (o.merge.mode === 'continuous' && small.length >= o.merge.minFiles));
      const merged = new Set<string>();
      const files: PartFile[] = [];
      if (mergeNow) {
        for (const group of binPack(small, o.merge.targetBytes)) {
          if (group.length < 2) continue;
          const output = `part-${this.ctx.subtask}-${checkpointId}-m${mergeSeq}${o.format.extension}`;
          merges.push({
            dir,
            output,
            hidden: `.${output}.merging`,
            manifest: `${MANIFEST_PREFIX}${this.ctx.subtask}-${checkpointId}-m${mergeSeq}.json`,
            inputs: group.filter((f) => f.pending === undefined).map((f) => f.name),
            pendingInputs: group.filter((f) => f.pending !== undefined).map((f) => f.pending!),
          });
          mergeSeq++;
          for (const f of group) merged.add(f.name);
          files.push({ name: output, bytes: group.reduce((n, f) => n + f.bytes, 0), records: group.reduce((n, f) => n + f.records, 0) });
        }
      }
      for (const f of state.files) if (!merged.has(f.name)) files.push(f);
      for (const f of fresh) {
        if (merged.has(f.final)) continue;
        publish.push({ dir, pending: f.pending, final: f.final });
        files.push({ name: f.final, bytes: f.bytes, records: f.records });
      }
      state.files = files.sort((a, b) => (a.name < b.name ? -1 : 1));
      if (closing) {
        state.closedVersion = state.version;
        closedNow.add(key);
      }
    }
    // forget partitions closed in an earlier checkpoint, longer ago than the retention (their
    // counts stop travelling in checkpoints); at the end of input keep all for the final announcements
    if (this.watermark !== MAX_WATERMARK) {
      for (const [key, s] of this.partitions) {
        if (s.closedVersion === s.version && !closedNow.has(key) && s.end + o.delayMs + o.retainMs < this.watermark) this.partitions.delete(key);
      }
    }
    this.checkpointId = checkpointId + 1;
    if (this.ctx.subtask === 0) this.announcer = this.announcerShared.get() ?? this.announcer;
    return [
      {
        subtask: this.ctx.subtask,
        parallelism: this.ctx.parallelism,
        checkpointId,
        watermark: this.watermark,
        publish,
        merges,
        progress: {
          subtask: this.ctx.subtask,
          parallelism: this.ctx.parallelism,
          checkpointId,
          watermark: this.watermark,
          streams: [...this.streams].sort(),
          partitions: [...this.partitions.values()].map((s) => ({
            stream: s.stream,
            path: s.path,
            start: s.start,
            end: s.end,
            recordsIn: s.recordsIn,
            recordsOut: s.recordsOut,
            dead: s.dead,
            minTs: s.minTs,
            maxTs: s.maxTs,
            version: s.version,
          })),
        },
        announcer: this.ctx.subtask === 0 ? this.announcer : undefined,
      },
    ];
  }

  snapshotState(): FilesWriterState {
    return {
      watermark: this.watermark,
      streams: [...this.streams],
      partitions: [...this.partitions.values()].map((p) => ({ ...p, files: [...p.files] })),
      announcer: this.ctx.subtask === 0 ? this.announcer : undefined,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    // parts of an attempt that did not reach a checkpoint: drop them (restore would anyway)
    await forEachLimit([...this.buckets.values()], this.o.concurrency, async (b) => {
      if (b.part === undefined) return;
      await b.part.writer.abort();
      await this.o.storage.delete(`${b.dir}/${this.writingName(b.part.name)}`);
      b.part = undefined;
    });
    this.buckets.clear();
  }
}

/** Consecutive groups whose total stays within the target (a single file may exceed it). */
function binPack<F extends { bytes: number }>(files: F[], target: number): F[][] {
  const groups: F[][] = [];
  let cur: F[] = [];
  let size = 0;
  for (const f of files) {
    if (cur.length > 0 && size + f.bytes > target) {
      groups.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(f);
    size += f.bytes;
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}
