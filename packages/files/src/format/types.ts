/**
 * A bulk format turns batches of records into part files and merges part files. JSON lines
 * ships here ({@link jsonLinesFormat}); a Parquet writer plugs in the same way.
 */

import type { FileStorage } from '../storage/types.js';

/** One part file being written. */
export interface BulkWriter<T> {
  /** Encode records (buffered); a returned promise means it wrote to storage (backpressure). */
  write(records: readonly T[]): void | Promise<void>;
  /** Bytes written or buffered so far (drives roll-by-size). */
  readonly bytes: number;
  /** Write everything out durably (fsync) and close. */
  finish(): Promise<void>;
  /** Drop the part (the caller deletes the file). */
  abort(): Promise<void>;
}

export interface BulkFormat<T> {
  /** File name extension including the dot, e.g. `.jsonl`. */
  readonly extension: string;
  /** Start a part file at `path` (created lazily or at once, the format decides). */
  open(storage: FileStorage, path: string): BulkWriter<T>;
  /**
   * Write `output` (durably) with the records of `inputs`, in order. Must not modify the
   * inputs; may be called again with the same arguments after a crash (overwrite `output`).
   */
  merge(storage: FileStorage, inputs: readonly string[], output: string): Promise<void>;
}
