/**
 * The metadata service: the current set of clusters, from a static list, a watched JSON file
 * or a callback. The enumerator reacts to changes (clusters added or removed); the reader looks
 * up connection settings by cluster name (configuration never goes into checkpoints).
 */

import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { validateOptions, type Logger } from '@weir/core';
import { clusterListSchema } from './options-schema.js';
import type { ClusterSource, KafkaClusterSpec } from './types.js';

type Listener = (clusters: ReadonlyMap<string, KafkaClusterSpec>) => void;

/** Shared by one source's enumerator and reader; started by the first `acquire`, stopped by the last `release`. */
export class ClusterDirectory {
  private clusters = new Map<string, KafkaClusterSpec>();
  private fingerprint = '';
  private readonly listeners = new Set<Listener>();
  private refs = 0;
  private starting: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private logger: Logger | undefined;
  private reloading = false;
  private reloadAgain = false;

  constructor(private readonly source: ClusterSource) {}

  /** Start (first caller) and wait for the first load. A failed load leaves the list empty and is retried. */
  acquire(logger: Logger): Promise<void> {
    this.refs++;
    this.logger ??= logger;
    this.starting ??= this.begin();
    return this.starting;
  }

  release(): void {
    if (--this.refs > 0) return;
    this.refs = 0;
    clearInterval(this.timer);
    this.watcher?.close();
    this.timer = undefined;
    this.watcher = undefined;
    this.starting = undefined;
  }

  get(name: string): KafkaClusterSpec | undefined {
    return this.clusters.get(name);
  }

  all(): ReadonlyMap<string, KafkaClusterSpec> {
    return this.clusters;
  }

  /** Called after every change of the cluster set or of a cluster's settings. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async begin(): Promise<void> {
    const s = this.source;
    if (Array.isArray(s)) {
      this.set(s);
      return;
    }
    if ('file' in s) {
      const file = resolve(s.file);
      await this.reload();
      try {
        // watch the directory: editors and atomic writers replace the file (rename), which ends a file watch
        this.watcher = watch(dirname(file), (_event, name) => {
          if (name === null || name === basename(file)) void this.reload();
        });
        this.watcher.on('error', () => {});
      } catch (err) {
        this.logger?.warn({ file, err: String(err) }, 'kafka source: cannot watch the clusters file; re-reading periodically');
      }
      this.timer = setInterval(() => void this.reload(), s.intervalMs ?? 5000);
      this.timer.unref();
      return;
    }
    await this.reload();
    this.timer = setInterval(() => void this.reload(), s.intervalMs ?? 10_000);
    this.timer.unref();
  }

  /** Re-read the file or ask the provider; overlapping calls collapse into one more run. */
  private async reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return;
    }
    this.reloading = true;
    try {
      do {
        this.reloadAgain = false;
        const s = this.source;
        try {
          if (!Array.isArray(s) && 'file' in s) this.set(parseClustersFile(await readFile(s.file, 'utf8')));
          else if (!Array.isArray(s)) this.set(validateOptions(clusterListSchema, await s.provider(), 'kafkaSource cluster provider result'));
        } catch (err) {
          this.logger?.warn({ err: String(err) }, 'kafka source: cannot load the cluster list; keeping the previous one');
        }
      } while (this.reloadAgain && this.refs > 0);
    } finally {
      this.reloading = false;
    }
  }

  private set(list: KafkaClusterSpec[]): void {
    // names are unique: every list was validated (factory options, file, provider)
    const next = new Map<string, KafkaClusterSpec>(list.map((c) => [c.name, c]));
    const fingerprint = JSON.stringify([...next.values()].map(fingerprintOf));
    if (fingerprint === this.fingerprint) return;
    // keep the old object for unchanged clusters: readers compare specs by identity to decide on reconnects
    for (const [name, spec] of next) {
      const old = this.clusters.get(name);
      if (old !== undefined && JSON.stringify(fingerprintOf(old)) === JSON.stringify(fingerprintOf(spec))) next.set(name, old);
    }
    this.fingerprint = fingerprint;
    this.clusters = next;
    for (const l of this.listeners) l(next);
  }
}

function fingerprintOf(c: KafkaClusterSpec): unknown {
  return { ...c, topics: c.topics instanceof RegExp ? { pattern: c.topics.source, flags: c.topics.flags } : c.topics };
}

/** `{ "clusters": [{ "name", "brokers", "topics": [..] | "topicPattern": "regex", ...connection options }] }`. */
export function parseClustersFile(text: string): KafkaClusterSpec[] {
  const doc = JSON.parse(text) as { clusters?: unknown };
  if (!Array.isArray(doc.clusters)) throw new Error('clusters file: expected { "clusters": [...] }');
  const clusters = doc.clusters.map((raw: Record<string, unknown>, i: number) => {
    if (typeof raw !== 'object' || raw === null) throw new Error(`clusters file: cluster ${i} is not an object`);
    const { topicPattern, topics, ...rest } = raw;
    if (typeof topicPattern === 'string') return { ...rest, topics: new RegExp(topicPattern) };
    if (topics === undefined && topicPattern === undefined) throw new Error(`clusters file: cluster '${String(raw.name ?? i)}' needs "topics" or "topicPattern"`);
    return { ...rest, topics };
  });
  return validateOptions(clusterListSchema, clusters, 'clusters file');
}
