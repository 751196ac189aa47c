/** Options of {@link bucketedFileSink}. */

import type { MetricsRegistry } from '@weir/core';
import { jsonLinesFormat } from '../format/json-lines.js';
import type { BulkFormat } from '../format/types.js';
import { successFilePolicy } from '../partition/policies.js';
import type { PartitionCommitPolicy } from '../partition/types.js';
import { LocalFileStorage } from '../storage/local.js';
import type { FileStorage } from '../storage/types.js';
import type { MergeHook } from './merge.js';
import { FilesMetrics } from './metrics.js';
import { TimeBuckets } from './time-buckets.js';

export interface BucketedFileSinkOptions<T> {
  /** Where tables go: a storage implementation, or a local directory. */
  storage: FileStorage | string;
  /** The stream (table) a record belongs to; each stream is a directory. */
  streamOf: (record: T) => string;
  /** Event time of a record (default: the runtime's per-record timestamp). */
  timestampOf?: (record: T) => number;
  /** Part file format (default JSON lines). */
  format?: BulkFormat<T>;
  /** Partition path pattern with YYYY, MM, DD, HH (default `dt=YYYY-MM-DD/hour=HH`). */
  partitionPattern?: string;
  /** IANA time zone of the partition pattern (default `UTC`). */
  timeZone?: string;
  /** Roll a part file once it reaches this size (default 128 MiB); parts always roll at checkpoints. */
  maxPartBytes?: number;
  /** Roll a part file this long after it opened, checked on watermarks (default never). */
  rolloverMs?: number;
  /** Parallel file operations (closing buckets, renames, merges, announcements; default 32). */
  concurrency?: number;
  merge?: {
    /** `on-ready` (default): merge when the partition is about to be announced; `continuous`: also once `minFiles` small files gathered; `off`. */
    mode?: 'on-ready' | 'continuous' | 'off';
    /** Target size of merged files; files at least this big are left alone (default 128 MiB). */
    targetBytes?: number;
    /** Continuous mode: small files in a partition that trigger a merge (default 8). */
    minFiles?: number;
  };
  readiness?: {
    /** A partition is ready once the watermark passed its end plus this delay (default 0). */
    delayMs?: number;
    /** Streams announced even without data (besides every stream ever seen). */
    streams?: readonly string[];
    /** Announcement chain (default: `_SUCCESS` file only). */
    policies?: readonly PartitionCommitPolicy[];
    /** How long after a partition closed its counts are kept for late data (default 24 h). */
    retainMs?: number;
    /**
     * Parallelism > 1, end of input: how long subtask 0's final commit waits for the other
     * writers to reach the end, so the last partitions get announced (default 60 s).
     */
    finalWaitMs?: number;
  };
  late?: {
    /**
     * Records for a partition whose end + delay the watermark already passed:
     * `side-output` (default) hands them to `onLate` and counts them as dead letters;
     * `reannounce` appends them and announces the partition again with a new version.
     */
    mode?: 'side-output' | 'reannounce';
    /** Receives late records (side-output mode); called again for records replayed after a restore. */
    onLate?: (records: T[], partitions: Array<{ stream: string; partition: string }>) => void;
  };
  /** Registers reconciliation counters on the job's registry. */
  metrics?: MetricsRegistry;
  /** Called after every merge step (tests inject crashes here). */
  mergeHook?: MergeHook;
}

export interface ResolvedOptions<T> {
  storage: FileStorage;
  streamOf: (record: T) => string;
  timestampOf: ((record: T) => number) | undefined;
  format: BulkFormat<T>;
  buckets: TimeBuckets;
  maxPartBytes: number;
  rolloverMs: number;
  concurrency: number;
  merge: { mode: 'on-ready' | 'continuous' | 'off'; targetBytes: number; minFiles: number };
  delayMs: number;
  streams: readonly string[];
  policies: readonly PartitionCommitPolicy[];
  retainMs: number;
  finalWaitMs: number;
  late: { mode: 'side-output' | 'reannounce'; onLate: ((records: T[], partitions: Array<{ stream: string; partition: string }>) => void) | undefined };
  metrics: FilesMetrics | undefined;
  mergeHook: MergeHook | undefined;
}

export function resolveOptions<T>(o: BucketedFileSinkOptions<T>, metrics: FilesMetrics | undefined): ResolvedOptions<T> {
  const storage = typeof o.storage === 'string' ? new LocalFileStorage(o.storage) : o.storage;
  return {
    storage,
    streamOf: o.streamOf,
    timestampOf: o.timestampOf,
    format: o.format ?? jsonLinesFormat<T>(),
    buckets: new TimeBuckets(o.partitionPattern ?? 'dt=YYYY-MM-DD/hour=HH', o.timeZone ?? 'UTC'),
    maxPartBytes: o.maxPartBytes ?? 128 * 1024 * 1024,
    rolloverMs: o.rolloverMs ?? Infinity,
    concurrency: o.concurrency ?? 32,
    merge: { mode: o.merge?.mode ?? 'on-ready', targetBytes: o.merge?.targetBytes ?? 128 * 1024 * 1024, minFiles: Math.max(2, o.merge?.minFiles ?? 8) },
    delayMs: o.readiness?.delayMs ?? 0,
    streams: o.readiness?.streams ?? [],
    policies: o.readiness?.policies ?? [successFilePolicy()],
    retainMs: o.readiness?.retainMs ?? 24 * 3_600_000,
    finalWaitMs: o.readiness?.finalWaitMs ?? 60_000,
    late: { mode: o.late?.mode ?? 'side-output', onLate: o.late?.onLate },
    metrics,
    mergeHook: o.mergeHook,
  };
}
