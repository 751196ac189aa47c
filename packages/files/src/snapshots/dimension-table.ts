/**
 * A dimension table as hourly snapshots for lookups by event time: each announced partition of a
 * dimension table (`<table>/dt=…/hour=…`, `_SUCCESS` written by `@weir/files`' committer or the
 * CDC upsert sink) is one snapshot — the table as of that partition — loaded into classic-level
 * under the partition's start. A record is looked up in the snapshot of the partition containing
 * its event time, so 10:59 sees the 10:00 snapshot and 11:00 the 11:00 one, live or in a backfill.
 *
 * The table keeps a watermark (the highest event time looked up, or what `advanceWatermark`
 * says): the watermark's snapshot is current; the next one is built ahead as soon as it is
 * announced (polled every `pollMs`), so lookups switch to it without waiting when the watermark
 * reaches it; snapshots more than `retain` partitions behind are dropped (a late record reloads
 * its snapshot). A lookup whose snapshot is not announced yet waits for it up to `waitMs`.
 *
 * For `asyncLookup` (`@weir/operators`): `keyOf: (r) => dim.keyAt(r.id, r.ts)` and
 * `multiGet: dim.multiGet` — keys carry their snapshot, so the lookup's batching and cache stay
 * correct across switches.
 */

import { rm } from 'node:fs/promises';
import { deserialize, serialize } from 'node:v8';
import { ClassicLevel } from 'classic-level';
import { count, durationMs, fn, oneOf, schemaFor, strictObject, validateOptions } from '@weir/core';
import { z } from 'zod';
import { listCommittedFiles } from '../sink/merge.js';
import { TimeBuckets, type PartitionRange } from '../sink/time-buckets.js';
import { LocalFileStorage } from '../storage/local.js';
import type { FileStorage } from '../storage/types.js';
import { parquetRowBatches, type Row } from './parquet-rows.js';
import { partitionPattern, readableStorage, timeZone } from '../options/shared-schemas.js';

export interface DimensionTableOptions<R extends Row = Row> {
  /** Where the dimension table lives: a `FileStorage` or a local directory. */
  storage: FileStorage | string;
  /** The table's directory inside the storage. */
  table: string;
  /** The lookup key of a row. */
  keyOf: (row: R) => string;
  /** classic-level directory for the loaded snapshots (scratch: cleared when the table opens). */
  stateDir: string;
  /** Partition directories (default `dt=YYYY-MM-DD/hour=HH`): one snapshot per partition. */
  partitionPattern?: string;
  /** IANA zone of the pattern (default UTC). */
  timeZone?: string;
  /** How often to look for newly announced snapshots (default 1 s). */
  pollMs?: number;
  /** How long a lookup waits for its snapshot to be announced before failing (default 60 s). */
  waitMs?: number;
  /** Snapshots kept behind the current one (default 1). */
  retain?: number;
  /**
   * What a partition's snapshot describes: `'start'` (default) the table as of the partition's
   * start (hourly dumps: a record at 10:30 reads `hour=10`); `'end'` the table as of its end (the
   * CDC upsert sink's snapshots: a record at 10:30 reads `hour=09`, the state at 10:00).
   */
  asOf?: 'start' | 'end';
}

const schema = schemaFor<DimensionTableOptions<any>>()(
  strictObject({
    storage: readableStorage,
    table: z.string().min(1),
    keyOf: fn<(row: any) => string>(),
    stateDir: z.string().min(1),
    partitionPattern: partitionPattern.optional(),
    timeZone: timeZone.optional(),
    pollMs: durationMs().optional(),
    waitMs: durationMs().optional(),
    retain: count(0).optional(),
    asOf: oneOf(['start', 'end']).optional(),
  }),
);

export interface DimensionTableStats {
  /** Snapshots loaded (reloads included). */
  loads: number;
  rowsLoaded: number;
  /** Snapshots built ahead, before any lookup needed them. */
  builtAhead: number;
  /** Lookups that had to wait for their snapshot to be announced. */
  waits: number;
  keysLookedUp: number;
  /** Partition of the current snapshot (the watermark's). */
  current: string | undefined;
}

/** Opens the table (clearing `stateDir`); throws an `OptionsError` on bad options. */
export async function openDimensionTable<R extends Row = Row>(options: DimensionTableOptions<R>): Promise<DimensionTable<R>> {
  validateOptions(schema, options, 'openDimensionTable options');
  await rm(options.stateDir, { recursive: true, force: true });
  const db = new ClassicLevel<string, Uint8Array>(options.stateDir, { keyEncoding: 'utf8', valueEncoding: 'view' });
  await db.open();
  return new DimensionTable<R>(options, db);
}

const SEP = '\u0000';
const BATCH = 4096;

export class DimensionTable<R extends Row = Row> {
  readonly stats: DimensionTableStats = { loads: 0, rowsLoaded: 0, builtAhead: 0, waits: 0, keysLookedUp: 0, current: undefined };
  private readonly storage: FileStorage;
  private readonly table: string;
  private readonly buckets: TimeBuckets;
  /** Partition start -> load in progress or done. */
  private readonly loads = new Map<number, Promise<void>>();
  private readonly ranges = new Map<number, PartitionRange>();
  /** Partition start -> its rows being deleted (a reload waits for it). */
  private readonly drops = new Map<number, Promise<void>>();
  /** Partition start -> lookups reading it now. */
  private readonly pins = new Map<number, number>();
  private keepFrom = -Infinity;
  private watermark = -Infinity;
  private current: PartitionRange | undefined;
  private poller: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly options: DimensionTableOptions<R>,
    private readonly db: ClassicLevel<string, Uint8Array>,
  ) {
    this.storage = typeof options.storage === 'string' ? new LocalFileStorage(options.storage) : options.storage;
    this.table = options.table.replace(/^\/+|\/+$/g, '');
    this.buckets = new TimeBuckets(options.partitionPattern ?? 'dt=YYYY-MM-DD/hour=HH', options.timeZone ?? 'UTC');
    this.poller = setInterval(() => this.buildNextAheadQuietly(), options.pollMs ?? 1_000);
    this.poller.unref();
  }

  /** The lookup key of `key` as of `eventTime` (its snapshot's start + the key); advances the watermark. */
  keyAt(key: string, eventTime: number): string {
    const p = this.snapshotFor(eventTime);
    this.ranges.set(p.start, p);
    if (eventTime > this.watermark) this.advanceWatermark(eventTime);
    return `${p.start}${SEP}${key}`;
  }

  /** Values of keys made by {@link keyAt} (undefined: not in that snapshot); the `multiGet` of `asyncLookup`. */
  readonly multiGet = async (keys: readonly string[]): Promise<Array<R | undefined>> => {
    const starts = new Set<number>();
    for (const k of keys) starts.add(Number(k.slice(0, k.indexOf(SEP))));
    // pinned snapshots are not dropped while this call reads them (the watermark may move meanwhile)
    for (const s of starts) this.pins.set(s, (this.pins.get(s) ?? 0) + 1);
    try {
      await Promise.all([...starts].map((s) => this.ensureLoaded(this.ranges.get(s) ?? this.buckets.partitionOf(s), false)));
      this.stats.keysLookedUp += keys.length;
      const values = await this.db.getMany([...keys]);
      return values.map((v) => (v === undefined ? undefined : (deserialize(v) as R)));
    } finally {
      for (const s of starts) {
        const n = this.pins.get(s)! - 1;
        if (n === 0) this.pins.delete(s);
        else this.pins.set(s, n);
      }
      this.retire();
    }
  };

  /** One row as of `eventTime`. */
  async get(key: string, eventTime: number): Promise<R | undefined> {
    return (await this.multiGet([this.keyAt(key, eventTime)]))[0];
  }

  /** Move the table's clock: switch the current snapshot, build the next ahead, drop old ones. */
  advanceWatermark(watermark: number): void {
    if (watermark <= this.watermark) return;
    this.watermark = watermark;
    const p = this.snapshotFor(watermark);
    if (this.current?.start === p.start) return;
    this.current = p;
    this.stats.current = p.path;
    const retain = this.options.retain ?? 1;
    let keepFrom = p.start;
    for (let i = 0; i < retain; i++) keepFrom = this.buckets.partitionOf(keepFrom - 1).start;
    this.keepFrom = keepFrom;
    this.retire();
    this.buildNextAheadQuietly();
  }

  /** The partition whose snapshot describes the table at `eventTime`. */
  private snapshotFor(eventTime: number): PartitionRange {
    const p = this.buckets.partitionOf(eventTime);
    return this.options.asOf === 'end' ? this.buckets.partitionOf(p.start - 1) : p;
  }

  /** Drop loaded snapshots behind the retention that no lookup is reading. */
  private retire(): void {
    for (const start of [...this.loads.keys()]) if (start < this.keepFrom && !this.pins.has(start)) void this.drop(start);
  }

  /** Partitions of the snapshots loaded or loading, oldest first. */
  loadedSnapshots(): string[] {
    return [...this.loads.keys()].sort((a, b) => a - b).map((s) => this.buckets.partitionOf(s).path);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poller);
    await Promise.allSettled([...this.loads.values(), ...this.drops.values()]);
    await this.db.close();
  }

  /** Building ahead is an optimisation: a storage error here is left to the lookup that needs the snapshot. */
  private buildNextAheadQuietly(): void {
    this.buildNextAhead().catch(() => undefined);
  }

  private async buildNextAhead(): Promise<void> {
    if (this.current === undefined || this.closed) return;
    const next = this.buckets.partitionOf(this.current.end);
    if (this.loads.has(next.start)) return;
    if (!(await this.announced(next))) return;
    if (this.loads.has(next.start) || this.closed) return; // another caller started it meanwhile
    this.stats.builtAhead++;
    await this.ensureLoaded(next, true).catch(() => undefined); // a lookup needing it retries and reports
  }

  private announced(p: PartitionRange): Promise<boolean> {
    return this.storage.exists(`${this.table}/${p.path}/_SUCCESS`);
  }

  private ensureLoaded(p: PartitionRange, ahead: boolean): Promise<void> {
    let load = this.loads.get(p.start);
    if (load === undefined) {
      load = this.load(p, ahead);
      this.loads.set(p.start, load);
      load.catch(() => this.loads.delete(p.start)); // the next lookup tries again
    }
    return load;
  }

  private async load(p: PartitionRange, ahead: boolean): Promise<void> {
    const waitMs = this.options.waitMs ?? 60_000;
    const pollMs = Math.min(this.options.pollMs ?? 1_000, 250);
    const deadline = Date.now() + waitMs;
    if (!ahead && !(await this.announced(p))) {
      this.stats.waits++;
      while (!(await this.announced(p))) {
        if (this.closed) throw new Error('dimension table closed');
        if (Date.now() >= deadline) throw new Error(`dimension snapshot ${this.table}/${p.path} not announced (no _SUCCESS) after ${waitMs} ms`);
        await new Promise((r) => setTimeout(r, pollMs));
      }
    }
    await this.drops.get(p.start);
    const dir = `${this.table}/${p.path}`;
    const prefix = `${p.start}${SEP}`;
    for (const file of await listCommittedFiles(this.storage, dir)) {
      if (!file.endsWith('.parquet')) continue;
      for (const rows of parquetRowBatches(await this.storage.readFile(`${dir}/${file}`), BATCH)) {
        const ops = rows.map((row) => ({ type: 'put' as const, key: prefix + this.options.keyOf(row as R), value: serialize(row) }));
        await this.db.batch(ops);
        this.stats.rowsLoaded += rows.length;
      }
    }
    this.stats.loads++;
  }

  private drop(start: number): Promise<void> {
    const load = this.loads.get(start);
    this.loads.delete(start);
    const done = (async () => {
      await load?.catch(() => undefined);
      if (!this.closed) await this.db.clear({ gte: `${start}${SEP}`, lt: `${start}\u0001` });
    })().finally(() => {
      if (this.drops.get(start) === done) this.drops.delete(start);
    });
    this.drops.set(start, done);
    return done;
  }
}
