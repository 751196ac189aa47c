/**
 * The source reader: one {@link ClusterFetcher} per cluster fills per-split buffers in the
 * background; `poll` hands out what is buffered, one `SourceBatch` per partition fetch.
 * Positions only advance through polled batches, so a checkpoint never covers a buffered record.
 */

import type { PollResult, SourceBatch, SourceReader, SourceReaderContext } from '@weir/core';
import type { FetchedPartition, KafkaTransportFactory, TopicPartition } from '../transport/types.js';
import type { ClusterDirectory } from './cluster-directory.js';
import { ClusterFetcher, type FetcherHost, type ReaderSplit } from './cluster-fetcher.js';
import { Signal } from './signal.js';
import type { KafkaClusterSpec, KafkaRecord, KafkaSplit } from './types.js';

interface Chunk {
  records: KafkaRecord[];
  timestamps: number[];
  nextOffset: string;
  highWatermark: string;
}

interface BufferedSplit extends ReaderSplit {
  chunks: Chunk[];
  /** Next offset after the last polled record. */
  emitted: string;
  highWatermark: string | undefined;
}

export interface ReaderSettings {
  transport: KafkaTransportFactory;
  fetchMaxWaitMs: number;
  fetchMaxBytesPerPartition: number;
  maxBufferedRecordsPerSplit: number;
  backoff: { initialMs: number; maxMs: number };
  commitGroupId: string | undefined;
  /** Records handed out per poll at most (whole batches; at least one). */
  maxRecordsPerPoll: number;
}

export class KafkaReader implements SourceReader<KafkaRecord, KafkaSplit>, FetcherHost {
  private readonly splits = new Map<string, BufferedSplit>();
  private readonly fetchers = new Map<string, ClusterFetcher>();
  private readonly data = new Signal();
  private cursor = 0;
  private closed = false;

  constructor(
    private readonly ctx: SourceReaderContext,
    private readonly directory: ClusterDirectory,
    private readonly settings: ReaderSettings,
  ) {}

  async start(): Promise<void> {
    await this.directory.acquire(this.ctx.logger);
  }

  addSplits(splits: KafkaSplit[]): void {
    for (const split of splits) {
      const s: BufferedSplit = {
        split,
        fetchOffset: split.offset,
        emitted: split.offset,
        bufferedRecords: 0,
        paused: false,
        finished: false,
        inFlight: false,
        chunks: [],
        highWatermark: undefined,
      };
      this.splits.set(split.id, s);
      this.fetcherOf(split.cluster).kick();
    }
    this.data.notify();
  }

  removeSplits(splitIds: string[]): void {
    const touched = new Set<string>();
    for (const id of splitIds) {
      const s = this.splits.get(id);
      if (s === undefined) continue;
      this.splits.delete(id);
      touched.add(s.split.cluster);
    }
    for (const cluster of touched) {
      const f = this.fetchers.get(cluster);
      if (f === undefined) continue;
      if (this.splitsOf(cluster).length === 0) {
        this.fetchers.delete(cluster);
        void f.close();
      } else f.kick();
    }
  }

  async poll(maxWaitMs: number): Promise<PollResult<KafkaRecord, KafkaSplit>> {
    const first = this.drain();
    if (first.batches.length > 0 || first.finishedSplits!.length > 0 || this.closed) return first;
    await this.data.wait(maxWaitMs);
    return this.drain();
  }

  /** Everything buffered (up to `maxRecordsPerPoll`), rotating which split goes first. */
  private drain(): PollResult<KafkaRecord, KafkaSplit> {
    const batches: SourceBatch<KafkaRecord, KafkaSplit>[] = [];
    const finishedSplits: string[] = [];
    const all = [...this.splits.values()];
    let budget = this.settings.maxRecordsPerPoll;
    for (let k = 0; k < all.length && budget > 0; k++) {
      const s = all[(k + this.cursor) % all.length]!;
      if (s.paused || s.finished) continue;
      let drained = false;
      while (s.chunks.length > 0 && budget > 0) {
        const c = s.chunks.shift()!;
        s.bufferedRecords -= c.records.length;
        budget -= c.records.length;
        s.emitted = c.nextOffset;
        drained = true;
        const records = c.records;
        batches.push({ splitId: s.split.id, records, timestamps: c.timestamps, splitState: { ...s.split, offset: c.nextOffset }, positionOf: (i) => recordPosition(records[i]!) });
        this.ctx.reportPendingRecords(s.split.id, pendingOf(c.highWatermark, c.nextOffset));
      }
      if (s.split.stopOffset !== undefined && s.chunks.length === 0 && BigInt(s.emitted) >= BigInt(s.split.stopOffset)) {
        s.finished = true;
        finishedSplits.push(s.split.id);
      }
      if (drained) this.fetchers.get(s.split.cluster)?.kick();
    }
    this.cursor++;
    return { batches, finishedSplits };
  }

  wakeup(): void {
    this.data.notify();
  }

  pauseSplits(splitIds: string[]): void {
    for (const id of splitIds) {
      const s = this.splits.get(id);
      if (s !== undefined) s.paused = true;
    }
  }

  resumeSplits(splitIds: string[]): void {
    for (const id of splitIds) {
      const s = this.splits.get(id);
      if (s === undefined) continue;
      s.paused = false;
      this.fetchers.get(s.split.cluster)?.kick();
    }
    this.data.notify();
  }

  notifyCheckpointComplete(_checkpointId: number, splits: KafkaSplit[]): void {
    const group = this.settings.commitGroupId;
    if (group === undefined) return;
    const perCluster = new Map<string, Array<TopicPartition & { offset: string }>>();
    for (const s of splits) {
      let list = perCluster.get(s.cluster);
      if (list === undefined) perCluster.set(s.cluster, (list = []));
      list.push({ topic: s.topic, partition: s.partition, offset: s.offset });
    }
    for (const [cluster, offsets] of perCluster) this.fetchers.get(cluster)?.commit(group, offsets);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.data.notify();
    const fetchers = [...this.fetchers.values()];
    this.fetchers.clear();
    await Promise.all(fetchers.map((f) => f.close()));
    this.directory.release();
  }

  // --- FetcherHost ---

  splitsOf(cluster: string): ReaderSplit[] {
    const out: ReaderSplit[] = [];
    for (const s of this.splits.values()) if (s.split.cluster === cluster) out.push(s);
    return out;
  }

  isLive(split: ReaderSplit): boolean {
    return this.splits.get(split.split.id) === split;
  }

  spec(cluster: string): KafkaClusterSpec | undefined {
    return this.directory.get(cluster);
  }

  deliver(rs: ReaderSplit, fetched: FetchedPartition): void {
    const s = rs as BufferedSplit;
    const { cluster, topic, partition, stopOffset } = s.split;
    let records = fetched.records;
    let next = fetched.nextOffset;
    if (stopOffset !== undefined && BigInt(next) > BigInt(stopOffset)) {
      const stop = BigInt(stopOffset);
      records = records.filter((r) => BigInt(r.offset) < stop);
      next = stopOffset;
    }
    const previous = s.fetchOffset;
    s.fetchOffset = next;
    s.highWatermark = fetched.highWatermark;
    if (records.length === 0 && next === previous) {
      if (s.chunks.length === 0) this.ctx.reportPendingRecords(s.split.id, pendingOf(fetched.highWatermark, s.emitted));
      if (stopOffset !== undefined && BigInt(next) >= BigInt(stopOffset)) this.data.notify();
      return;
    }
    const out = new Array<KafkaRecord>(records.length);
    const timestamps = new Array<number>(records.length);
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      out[i] = { cluster, topic, partition, offset: r.offset, key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp };
      timestamps[i] = r.timestamp;
    }
    s.chunks.push({ records: out, timestamps, nextOffset: next, highWatermark: fetched.highWatermark });
    s.bufferedRecords += out.length;
    this.data.notify();
  }

  private fetcherOf(cluster: string): ClusterFetcher {
    let f = this.fetchers.get(cluster);
    if (f === undefined) {
      f = new ClusterFetcher(cluster, this, { ...this.settings, logger: this.ctx.logger });
      this.fetchers.set(cluster, f);
    }
    return f;
  }
}

function pendingOf(highWatermark: string, position: string): number {
  const d = Number(BigInt(highWatermark) - BigInt(position));
  return d > 0 ? d : 0;
}

/** Where a record sits in Kafka: what dead letters carry and repeated failures are matched by. */
function recordPosition(r: KafkaRecord): Record<string, unknown> {
  return { cluster: r.cluster, topic: r.topic, partition: r.partition, offset: r.offset };
}
