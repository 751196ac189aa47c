/** The protobuf schema registry: load from a directory and/or URLs, reload, watch. */

import { createHash } from 'node:crypto';
import { compileSchemas } from './build-root.js';
import { SchemaSnapshot } from './snapshot.js';
import { fetchSchemaUrl, readSchemaDirectory, type SchemaFile } from './sources.js';
import { watchAndPoll } from '../util/watch-and-poll.js';
import { OptionsError, validateOptions } from '@weir/core';
import { schemaRegistryOptionsSchema, watchOptionsSchema } from '../options/schemas.js';

/** How many snapshots `snapshotAt` keeps. */
const HISTORY = 16;

/** Where schemas come from and which stream uses which message type. */
export interface SchemaRegistryOptions {
  /** Directory (read recursively) of `.proto` files, descriptor sets (`.desc`, `.pb`, `.binpb`, `.protoset`) and an optional `streams.json`. */
  dir?: string;
  /** HTTP(S) URLs of `.proto` files, descriptor sets or a `streams.json`. */
  urls?: string[];
  /** Stream id -> fully qualified message type; merged over any `streams.json` (these win). */
  streams?: Record<string, string>;
  /** HTTP timeout per URL, default 10 s. */
  httpTimeoutMs?: number;
}

/** Options of {@link SchemaRegistry.watch}. */
export interface WatchOptions {
  /** Poll interval (directory and URLs), default 1000 ms; directory changes also trigger at once. */
  intervalMs?: number;
  /** Called when a reload fails (the current snapshot stays in use). */
  onError?: (error: Error) => void;
}

/** Result of {@link SchemaRegistry.reload}. */
export interface ReloadResult {
  changed: boolean;
  snapshot: SchemaSnapshot;
}

/**
 * Protobuf schemas by stream, versioned. `current()` is an immutable {@link SchemaSnapshot};
 * `reload()` (or `watch()`) re-reads the sources and publishes a new snapshot with the next
 * version when their content changed. A reload that fails to parse keeps the current snapshot.
 */
export class SchemaRegistry {
  private snapshot: SchemaSnapshot;
  /** Recent snapshots by version (the current one included), oldest evicted first. */
  private readonly history = new Map<number, SchemaSnapshot>();
  private readonly listeners = new Set<(snapshot: SchemaSnapshot) => void>();
  /** Reloads run one after another; `queued` counts those not started yet. */
  private queue: Promise<unknown> = Promise.resolve();
  private queued = 0;
  private watchers: { stop(): void }[] = [];
  /** The error of the last failed reload, cleared by a successful one. */
  lastError: Error | undefined;

  private constructor(
    private readonly options: SchemaRegistryOptions,
    first: SchemaSnapshot,
  ) {
    this.snapshot = first;
    this.history.set(first.version, first);
  }

  /** Load the sources once; throws when they cannot be read or compiled. */
  static async open(options: SchemaRegistryOptions): Promise<SchemaRegistry> {
    validateOptions(schemaRegistryOptionsSchema, options, 'SchemaRegistry options');
    if (!options.dir && !options.urls?.length) throw new OptionsError('SchemaRegistry options', ['(options): needs a dir or urls']);
    const files = await readSources(options);
    return new SchemaRegistry(options, buildSnapshot(1, files, options));
  }

  /** The snapshot in use now. */
  current(): SchemaSnapshot {
    return this.snapshot;
  }

  /**
   * A recent snapshot by version (the last 16 versions are kept), e.g. the version a
   * checkpoint recorded; undefined when it is no longer (or never was) known in this process.
   */
  snapshotAt(version: number): SchemaSnapshot | undefined {
    return this.history.get(version);
  }

  /** Register a listener for new snapshots; returns an unsubscribe function. */
  onChange(listener: (snapshot: SchemaSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Re-read the sources; publishes a new snapshot (version + 1) when their content changed.
   * Throws (and keeps the current snapshot) when they no longer compile. Calls are serialised:
   * each one reads the sources after the previous one finished.
   */
  reload(): Promise<ReloadResult> {
    this.queued++;
    const next = this.queue.then(() => {
      this.queued--;
      return this.reloadOnce();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async reloadOnce(): Promise<ReloadResult> {
    try {
      const files = await readSources(this.options);
      if (fingerprintOf(files, this.options) === this.snapshot.fingerprint) {
        this.lastError = undefined;
        return { changed: false, snapshot: this.snapshot };
      }
      const next = buildSnapshot(this.snapshot.version + 1, files, this.options);
      this.snapshot = next;
      this.history.set(next.version, next);
      if (this.history.size > HISTORY) this.history.delete(this.history.keys().next().value!);
      this.lastError = undefined;
      for (const listener of this.listeners) listener(next);
      return { changed: true, snapshot: next };
    } catch (error) {
      this.lastError = error as Error;
      throw error;
    }
  }

  /**
   * Reload automatically: on directory change events (debounced) and every `intervalMs`.
   * Returns a stop function; `close()` stops every watch.
   */
  watch(options: WatchOptions = {}): () => void {
    validateOptions(watchOptionsSchema, options, 'SchemaRegistry.watch options');
    const intervalMs = options.intervalMs ?? 1000;
    const trigger = () => {
      if (this.queued > 0) return; // a reload that has not read the sources yet covers this change
      void this.reload().catch((e: Error) => options.onError?.(e));
    };
    const stopWatch = watchAndPoll(this.options.dir || undefined, { recursive: true, debounceMs: 50, intervalMs }, trigger);
    const handle = {
      stop: () => {
        stopWatch();
        this.watchers = this.watchers.filter((w) => w !== handle);
      },
    };
    this.watchers.push(handle);
    return handle.stop;
  }

  /** Stop all watches and drop listeners. */
  close(): void {
    for (const w of [...this.watchers]) w.stop();
    this.listeners.clear();
  }
}

async function readSources(options: SchemaRegistryOptions): Promise<SchemaFile[]> {
  const files = options.dir ? await readSchemaDirectory(options.dir) : [];
  const timeout = options.httpTimeoutMs ?? 10_000;
  files.push(...(await Promise.all((options.urls ?? []).map((u) => fetchSchemaUrl(u, timeout)))));
  return files;
}

function fingerprintOf(files: readonly SchemaFile[], options: SchemaRegistryOptions): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.name}\0${f.kind}\0${f.content.length}\0`).update(f.content);
  hash.update(JSON.stringify(options.streams ?? {}));
  return hash.digest('hex');
}

function buildSnapshot(version: number, files: SchemaFile[], options: SchemaRegistryOptions): SchemaSnapshot {
  const compiled = compileSchemas(files);
  const streams = { ...compiled.streams, ...options.streams };
  return new SchemaSnapshot(version, compiled.root, streams, fingerprintOf(files, options), files.map((f) => f.name), Date.now());
}
