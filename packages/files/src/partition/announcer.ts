/**
 * The partition committer (runs in subtask 0's commit phase). It gathers every writer's
 * progress (watermark and per-partition counts, published by each writer's commit), and per
 * known stream announces partitions in hour order once the minimum watermark passed
 * `end + delay`, no hidden part file or merge manifest is left in the directory (files
 * committed and merged, zombies gone). Empty partitions of known streams are announced too.
 * "Announced up to" per stream travels in the checkpoint (committable + writer state), so a
 * redone commit recomputes the same announcements; non-idempotent policies are deduplicated
 * by done-markers.
 */

import { MAX_WATERMARK, MIN_WATERMARK, type Logger } from '@weir/core';
import type { FileStorage } from '../storage/types.js';
import { forEachLimit } from '../sink/concurrency.js';
import { listCommittedFiles } from '../sink/merge.js';
import { MANIFEST_PREFIX, metaDir, partitionDir, partitionKey, progressFile, type AnnouncerState, type PartitionCounts, type WriterProgress } from '../sink/model.js';
import type { TimeBuckets } from '../sink/time-buckets.js';
import type { FilesMetrics } from '../sink/metrics.js';
import type { PartitionCommitPolicy, ReadyPartition } from './types.js';

export interface AnnouncerConfig {
  storage: FileStorage;
  buckets: TimeBuckets;
  stepName: string;
  parallelism: number;
  delayMs: number;
  retainMs: number;
  streams: readonly string[];
  policies: readonly PartitionCommitPolicy[];
  concurrency: number;
  /** At the end of input, how long subtask 0 waits for the other writers to finish. */
  finalWaitMs: number;
  metrics: FilesMetrics | undefined;
  logger: Logger;
}

/** Safety cap of partitions announced per stream and commit (a watermark jump of years). */
const MAX_PER_COMMIT = 20_000;

/** One partition's counts summed over the writers. */
type Aggregate = Omit<PartitionCounts, 'stream' | 'path'>;

export async function announceReadyPartitions(cfg: AnnouncerConfig, own: WriterProgress, before: AnnouncerState): Promise<AnnouncerState> {
  const state: AnnouncerState = structuredClone(before);
  const progresses = await gatherProgress(cfg, own);
  if (progresses === undefined) return state; // a writer that never committed holds event time back
  const wm = Math.min(...progresses.map((p) => p.watermark));
  if (wm === MIN_WATERMARK) return state;

  const byStream = new Map<string, Map<string, Aggregate>>();
  let maxEnd = -Infinity;
  let minStart = Infinity;
  for (const p of progresses) for (const c of p.partitions) add(byStream, c);
  for (const m of byStream.values())
    for (const a of m.values()) {
      maxEnd = Math.max(maxEnd, a.end);
      minStart = Math.min(minStart, a.start);
    }
  if (state.startAt === undefined) {
    // the first watermark's partition, or earlier data of any stream
    const first = wm === MAX_WATERMARK ? minStart : Math.min(minStart, cfg.buckets.partitionOf(wm).start);
    if (Number.isFinite(first)) state.startAt = first;
  }
  const isReady = (end: number) => (wm === MAX_WATERMARK ? end <= maxEnd : end + cfg.delayMs <= wm);

  const streams = new Set<string>(cfg.streams);
  for (const p of progresses) for (const s of p.streams) streams.add(s);
  const configured = new Set(cfg.streams);

  await forEachLimit([...streams].sort(), cfg.concurrency, async (stream) => {
    const data = byStream.get(stream);
    let cursor = state.cursors[stream];
    if (cursor === undefined) {
      let first = Infinity;
      for (const a of data?.values() ?? []) first = Math.min(first, a.start);
      if (configured.has(stream) || first === Infinity) first = Math.min(first, state.startAt ?? Infinity);
      if (first === Infinity) return;
      cursor = first;
    }
    // first announcements, in partition order
    for (let i = 0; i < MAX_PER_COMMIT; i++) {
      const range = cfg.buckets.partitionOf(cursor);
      if (!isReady(range.end)) break;
      const dir = partitionDir(stream, range.path);
      if (await hasUnfinishedFiles(cfg.storage, dir)) break;
      const agg = data?.get(range.path);
      await announce(cfg, state, stream, range.path, dir, agg, { start: range.start, end: range.end }, wm);
      cursor = range.end;
      state.cursors[stream] = cursor;
    }
    // re-announcements after late data was appended
    for (const [path, agg] of data ?? []) {
      const done = state.announced[partitionKey(stream, path)];
      if (agg.end > (state.cursors[stream] ?? -Infinity) || (done !== undefined && done.version >= agg.version) || (done === undefined && agg.version === 1)) continue;
      const dir = partitionDir(stream, path);
      if (await hasUnfinishedFiles(cfg.storage, dir)) continue;
      await announce(cfg, state, stream, path, dir, agg, agg, wm);
    }
  });

  if (wm !== MAX_WATERMARK) {
    const forgotten: string[] = [];
    for (const [k, a] of Object.entries(state.announced)) {
      if (a.end + cfg.delayMs + cfg.retainMs >= wm) continue;
      delete state.announced[k];
      const [stream, path] = k.split('\u0000') as [string, string];
      forgotten.push(`${metaDir(cfg.stepName)}/announced/${partitionDir(stream, path)}`);
    }
    // policy markers of partitions past the retention: no commit that could be redone needs them
    await forEachLimit(forgotten, cfg.concurrency, async (dir) => {
      for (const e of await cfg.storage.list(dir)) if (!e.isDirectory) await cfg.storage.delete(`${dir}/${e.name}`);
    });
  }
  return state;
}

async function announce(
  cfg: AnnouncerConfig,
  state: AnnouncerState,
  stream: string,
  path: string,
  dir: string,
  agg: Aggregate | undefined,
  range: { start: number; end: number },
  wm: number,
): Promise<void> {
  await cfg.storage.mkdirs(dir);
  const version = agg?.version ?? 1;
  const p: ReadyPartition = {
    stream,
    partition: path,
    path: cfg.storage.describe(dir),
    dir,
    files: await listCommittedFiles(cfg.storage, dir),
    recordsIn: agg?.recordsIn ?? 0,
    recordsOut: agg?.recordsOut ?? 0,
    deadLetters: agg?.dead ?? 0,
    minEventTime: agg !== undefined && agg.recordsOut + agg.dead > 0 ? agg.minTs : null,
    maxEventTime: agg !== undefined && agg.recordsOut + agg.dead > 0 ? agg.maxTs : null,
    start: range.start,
    end: range.end,
    version,
    watermark: wm,
  };
  const markerBase = `${metaDir(cfg.stepName)}/announced/${dir}/v${version}`;
  for (const policy of cfg.policies) {
    if (policy.idempotent) {
      await policy.commit(p, cfg.storage);
      continue;
    }
    const marker = `${markerBase}.${encodeURIComponent(policy.name)}`;
    if (await cfg.storage.exists(`${marker}.done`)) continue;
    // markers are not fsynced: they guard against process crashes (a lost marker after a power
    // failure means a re-send, within the documented at-least-once window)
    if (!(await cfg.storage.exists(`${marker}.intent`))) await cfg.storage.writeFile(`${marker}.intent`, '', { sync: false });
    else if (policy.wasCommitted !== undefined && (await policy.wasCommitted(p, cfg.storage))) {
      await cfg.storage.writeFile(`${marker}.done`, '', { sync: false });
      continue;
    }
    await policy.commit(p, cfg.storage);
    await cfg.storage.writeFile(`${marker}.done`, '', { sync: false });
  }
  const key = partitionKey(stream, path);
  cfg.metrics?.announced(stream, p);
  state.announced[key] = { version, end: range.end, recordsIn: p.recordsIn, recordsOut: p.recordsOut, dead: p.deadLetters };
  cfg.logger.debug({ stream, partition: path, version, records: p.recordsOut }, 'partition ready');
}

/** In-progress or pending part files, or a merge manifest, in the directory. */
async function hasUnfinishedFiles(storage: FileStorage, dir: string): Promise<boolean> {
  for (const e of await storage.list(dir)) if (!e.isDirectory && (e.name.startsWith('.part-') || e.name.startsWith(MANIFEST_PREFIX))) return true;
  return false;
}

function add(byStream: Map<string, Map<string, Aggregate>>, c: PartitionCounts): void {
  let m = byStream.get(c.stream);
  if (m === undefined) byStream.set(c.stream, (m = new Map()));
  const a = m.get(c.path);
  if (a === undefined) {
    m.set(c.path, { recordsIn: c.recordsIn, recordsOut: c.recordsOut, dead: c.dead, minTs: c.minTs, maxTs: c.maxTs, version: c.version, start: c.start, end: c.end });
    return;
  }
  a.recordsIn += c.recordsIn;
  a.recordsOut += c.recordsOut;
  a.dead += c.dead;
  a.minTs = Math.min(a.minTs, c.minTs);
  a.maxTs = Math.max(a.maxTs, c.maxTs);
  a.version += c.version - 1;
  a.start = Math.min(a.start, c.start);
  a.end = Math.max(a.end, c.end);
}

/**
 * Every writer's progress. At the end of input (own watermark MAX) wait up to `finalWaitMs`
 * for the other writers to reach the end too, so a bounded job announces its last partitions.
 */
async function gatherProgress(cfg: AnnouncerConfig, own: WriterProgress): Promise<WriterProgress[] | undefined> {
  const deadline = Date.now() + (own.watermark === MAX_WATERMARK ? cfg.finalWaitMs : 0);
  for (;;) {
    const all = [own];
    let missing = false;
    for (let s = 0; s < cfg.parallelism; s++) {
      if (s === own.subtask) continue;
      const p = await readProgress(cfg.storage, progressFile(cfg.stepName, s));
      // a run with another instance count wrote it (before a rescale): wait for this run's
      if (p === undefined || (p.parallelism !== undefined && p.parallelism !== cfg.parallelism)) missing = true;
      else all.push(p);
    }
    const complete = !missing && all.every((p) => p.watermark === MAX_WATERMARK);
    if (complete || Date.now() >= deadline) {
      if (own.watermark === MAX_WATERMARK && !complete) cfg.logger.warn({ waitedMs: cfg.finalWaitMs }, 'end of input: other writers did not finish, their last partitions stay unannounced');
      return missing ? undefined : all;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function readProgress(storage: FileStorage, path: string): Promise<WriterProgress | undefined> {
  try {
    return JSON.parse(Buffer.from(await storage.readFile(path)).toString('utf8')) as WriterProgress;
  } catch {
    return undefined;
  }
}
