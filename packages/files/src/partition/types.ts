/** A partition the committer announces as ready, and the policies that announce it. */

import type { FileStorage } from '../storage/types.js';

/** What a ready partition looks like to policies and in notifications. */
export interface ReadyPartition {
  stream: string;
  /** Partition path inside the stream's table directory, e.g. `dt=2024-05-01/hour=13`. */
  partition: string;
  /** Where the partition lives (storage description, e.g. an absolute path). */
  path: string;
  /** Directory relative to the storage root. */
  dir: string;
  /** Committed files (names in `dir`). */
  files: string[];
  /** Reconciliation: records that arrived, were written, went to the late side output. */
  recordsIn: number;
  recordsOut: number;
  deadLetters: number;
  /** Event-time range of the written records (null when the partition is empty). */
  minEventTime: number | null;
  maxEventTime: number | null;
  /** Partition time range [start, end). */
  start: number;
  end: number;
  /** 1 on the first announcement, +1 for every re-announcement after late data. */
  version: number;
  /** Watermark the partition was found ready at. */
  watermark: number;
}

/**
 * One step of announcing a ready partition. Policies run in order per partition.
 *
 * - An `idempotent` policy simply runs again when a commit is redone after a crash.
 * - A non-idempotent one is guarded by markers: an intent marker before it runs, a done marker
 *   after. A redo skips it when done; when only the intent exists (crash while it ran) it asks
 *   `wasCommitted` and runs again only if that says no, or if the policy has no `wasCommitted`
 *   (then the notification may be sent twice: at-least-once in that window).
 */
export interface PartitionCommitPolicy {
  /** Unique among the chain (names the markers). */
  readonly name: string;
  readonly idempotent: boolean;
  /** Announce; `storage` is the sink's storage (the partition is `partition.dir` on it). */
  commit(partition: ReadyPartition, storage: FileStorage): Promise<void>;
  /** Recovery: did an interrupted `commit` of this partition version reach its target? */
  wasCommitted?(partition: ReadyPartition, storage: FileStorage): Promise<boolean>;
}

/** The JSON notification sent by the Kafka and webhook policies. */
export function notificationOf(p: ReadyPartition): Record<string, unknown> {
  return {
    stream: p.stream,
    partition: p.partition,
    path: p.path,
    files: p.files,
    recordCount: p.recordsOut,
    recordsIn: p.recordsIn,
    deadLetters: p.deadLetters,
    minEventTime: p.minEventTime,
    maxEventTime: p.maxEventTime,
    start: p.start,
    end: p.end,
    version: p.version,
  };
}
