/**
 * What the file sink keeps in checkpoints: the writer state, the committable of each
 * checkpoint (files to publish, merge plans, progress, announcer state) and the layout of
 * names on storage. Internal: not exported from the package.
 */

/** A committed (or committing) part file of one writer in one partition. */
export interface PartFile {
  name: string;
  bytes: number;
  records: number;
}

/** Reconciliation counters of one (stream, partition) at one writer. */
export interface PartitionCounts {
  stream: string;
  path: string;
  start: number;
  end: number;
  /** Records that arrived for the partition. */
  recordsIn: number;
  /** Records written to the partition's files. */
  recordsOut: number;
  /** Records sent to the late side output instead. */
  dead: number;
  minTs: number;
  maxTs: number;
  /** 1, plus one for every checkpoint that appended late data after the partition closed. */
  version: number;
}

export interface PartitionState extends PartitionCounts {
  /** Version this writer last closed (rolled, merged) the partition at; 0 = open. */
  closedVersion: number;
  /** Late data appended since the last close (reannounce mode). */
  lateDirty: boolean;
  files: PartFile[];
}

/** Rename `pending` to `final` in `dir`. */
export interface PublishOp {
  dir: string;
  pending: string;
  final: string;
}

/**
 * Merge `inputs` (visible) and `pendingInputs` (hidden, never published) of `dir` into
 * `output`: written as `hidden`, announced by `manifest`, renamed visible, inputs deleted.
 */
export interface MergePlan {
  dir: string;
  output: string;
  hidden: string;
  manifest: string;
  inputs: string[];
  pendingInputs: string[];
}

/** Per-writer progress, published for the partition committer at every commit. */
export interface WriterProgress {
  subtask: number;
  /**
   * Instance count of the run that wrote it: after a rescale the announcer counts only the
   * progress of the new run (an old run's file, read before the new writer's first commit,
   * lacks the counts that writer took over). Absent in files of older versions.
   */
  parallelism?: number;
  checkpointId: number;
  watermark: number;
  streams: string[];
  partitions: PartitionCounts[];
}

/** The partition committer's state (subtask 0): announced up to, per stream. */
export interface AnnouncerState {
  /** Per stream: end (ms) of the last announced partition. */
  cursors: Record<string, number>;
  /** Announced version and counts per partition key (pruned after the retention). */
  announced: Record<string, { version: number; end: number; recordsIn: number; recordsOut: number; dead: number }>;
  /** Start of the first partition that could be announced (first watermark seen). */
  startAt?: number;
}

export interface FilesCommittable {
  subtask: number;
  parallelism: number;
  checkpointId: number;
  watermark: number;
  publish: PublishOp[];
  merges: MergePlan[];
  progress: WriterProgress;
  /** Subtask 0 only: the partition committer's state before this commit. */
  announcer?: AnnouncerState;
}

export interface FilesWriterState {
  watermark: number;
  streams: string[];
  partitions: PartitionState[];
  announcer?: AnnouncerState;
}

export const emptyAnnouncer = (): AnnouncerState => ({ cursors: {}, announced: {} });

/** Storage directory of a stream: safe characters kept, never hidden. */
export function streamDir(stream: string): string {
  const s = stream.replace(/[^A-Za-z0-9._=-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return s.startsWith('.') || s.startsWith('_') || s === '' ? `s${s}` : s;
}

export const partitionDir = (stream: string, path: string): string => `${streamDir(stream)}/${path}`;
export const partitionKey = (stream: string, path: string): string => `${stream}\u0000${path}`;
export const metaDir = (stepName: string): string => `_weir/${encodeURIComponent(stepName)}`;
export const progressFile = (stepName: string, subtask: number): string => `${metaDir(stepName)}/progress-${subtask}.json`;

/** Hidden names readers ignore: leading `.` or `_`. */
export const isHidden = (name: string): boolean => name.startsWith('.') || name.startsWith('_');
export const MANIFEST_PREFIX = '_merge-';
