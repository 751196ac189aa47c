/**
 * The writer state a new instance starts from after a rescale (a savepoint set of N instances
 * restored by M). Counts are what partition announcements sum, so every old writer's counts
 * must reach exactly one new writer: old instance k's go to new instance k mod M (as its
 * committables do), and the progress files of instances that no longer exist are removed
 * (`abortLeftovers`) so the announcer cannot count them again.
 */

import { MIN_WATERMARK, type SinkRescale } from '@weir/core';
import { partitionKey, type FilesWriterState, type PartitionState } from './model.js';

/**
 * Own state plus the states taken over, at the lowest watermark of all old writers: splits move
 * between instances in a rescale, so a record behind any old writer's watermark may now arrive
 * here and must not be taken as late (the announcer waits for it the same way). Partitions that
 * watermark has not passed yet are open again, so they close (and merge) once more.
 */
export function rescaledWriterState(rescale: SinkRescale<FilesWriterState>, subtask: number, parallelism: number, delayMs: number): FilesWriterState {
  let watermark = Infinity;
  for (const w of rescale.writers) watermark = Math.min(watermark, w.state?.watermark ?? MIN_WATERMARK);
  if (watermark === Infinity) watermark = MIN_WATERMARK;
  const own = rescale.writers.find((w) => w.subtask === subtask)?.state;
  const streams = new Set<string>();
  const partitions = new Map<string, PartitionState>();
  for (const w of rescale.writers) {
    if (w.subtask % parallelism !== subtask || w.state === undefined) continue;
    for (const s of w.state.streams) streams.add(s);
    for (const p of w.state.partitions) {
      const key = partitionKey(p.stream, p.path);
      const prev = partitions.get(key);
      partitions.set(key, prev === undefined ? { ...p, files: [...p.files] } : mergePartition(prev, p));
    }
  }
  for (const p of partitions.values()) {
    // open: closes again when the watermark passes it; closed: every old writer had closed it
    p.closedVersion = watermark >= p.end + delayMs ? p.version : p.version - 1;
  }
  return { watermark, streams: [...streams], partitions: [...partitions.values()], announcer: own?.announcer };
}

/** One partition's counts of two writers as one writer's: the announcer's sums stay the same. */
function mergePartition(a: PartitionState, b: PartitionState): PartitionState {
  return {
    stream: a.stream,
    path: a.path,
    start: Math.min(a.start, b.start),
    end: Math.max(a.end, b.end),
    recordsIn: a.recordsIn + b.recordsIn,
    recordsOut: a.recordsOut + b.recordsOut,
    dead: a.dead + b.dead,
    minTs: Math.min(a.minTs, b.minTs),
    maxTs: Math.max(a.maxTs, b.maxTs),
    // the announcer sums versions as 1 + the late reopenings of each writer
    version: a.version + b.version - 1,
    closedVersion: 0,
    lateDirty: a.lateDirty || b.lateDirty,
    files: [...a.files, ...b.files].sort((x, y) => (x.name < y.name ? -1 : 1)),
  };
}
