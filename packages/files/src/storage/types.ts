/**
 * The storage a file sink writes to. Paths are relative to the storage root and use `/`.
 * The local filesystem implementation is {@link LocalFileStorage}; object stores plug in by
 * implementing this interface (`@weir/s3`: rename is a copy, then a delete of the source).
 */

/** One entry of a directory listing. */
export interface StorageEntry {
  readonly name: string;
  readonly isDirectory: boolean;
}

/** A file being written: chunks are appended in order; `close` makes them durable. */
export interface StorageWriteStream {
  write(chunk: string | Uint8Array): Promise<void>;
  /** Flush, fsync (when `sync` is true, the default) and close. */
  close(sync?: boolean): Promise<void>;
  /** Close without making the content durable (the caller deletes the file). */
  abort(): Promise<void>;
}

export interface FileStorage {
  /**
   * True when a file written with `openWrite` stays invisible until `close` and then appears
   * whole (object stores: a multipart upload). The file sink then writes each part file under
   * its hidden pending name directly instead of renaming an in-progress file (a copy there).
   */
  readonly writesAppearOnClose?: boolean;
  /** Create (or truncate) a file and write it in chunks. Parent directories are created. */
  openWrite(path: string): Promise<StorageWriteStream>;
  /** Write a whole file at once (durably when `sync`). Parent directories are created. */
  writeFile(path: string, data: string | Uint8Array, options?: { sync?: boolean }): Promise<void>;
  /** Replace a small file atomically: readers see the old or the new content, never a part. */
  writeFileAtomic(path: string, data: string | Uint8Array): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
  /** Stream a file's content. */
  openRead(path: string): AsyncIterable<Uint8Array>;
  /**
   * Optional: a file's size in bytes and a byte range `[start, end)` of it (S3: HEAD and a
   * ranged GET). Readers of columnar files use them to fetch one row group at a time; without
   * them they read the whole file.
   */
  size?(path: string): Promise<number>;
  readRange?(path: string, start: number, end: number): Promise<Uint8Array>;
  /**
   * Make `from`'s content appear under `to` (replacing `to`) atomically: readers see `to` whole
   * or not at all. `from` is gone when the promise resolves, but a crash may leave both (object
   * stores copy, then delete): callers tolerate a leftover `from`. Throws ENOENT when `from` is missing.
   */
  rename(from: string, to: string): Promise<void>;
  /** Entries of a directory; an empty list when it does not exist. */
  list(dir: string): Promise<StorageEntry[]>;
  /** Delete a file; no error when it does not exist. */
  delete(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  mkdirs(dir: string): Promise<void>;
  /** Where a path lives, for notifications (e.g. an absolute path or URL). */
  describe(path: string): string;
  /**
   * Optional: abort unfinished chunked writes (an object store's multipart uploads, invisible
   * as files) that a crashed writer left at paths `match` accepts; returns how many. Called
   * on restore, beside the deletion of hidden leftover files.
   */
  abortUnfinishedWrites?(match: (path: string) => boolean): Promise<number>;
}
