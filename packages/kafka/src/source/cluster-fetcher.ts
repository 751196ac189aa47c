/**
 * Fetches the reader's splits of ONE cluster: a supervisor loop (connect, run a fetch session,
 * on any failure close, back off, reconnect — forever) around a session that keeps at most one
 * Fetch in flight per leader broker. A broker answers a Fetch as soon as any partition in it has
 * data; when some of the node's partitions had to be left out (buffer full), the wait is kept
 * short so they are not held back by the others' long poll.
 */

import type { Logger } from '@weir/core';
import { OffsetOutOfRangeError, StaleMetadataError, type FetchedPartition, type KafkaTransportFactory, type KafkaTransport, type TopicPartition } from '../transport/types.js';
import { Backoff, Signal, settleWithin } from './signal.js';
import { splitId, type KafkaClusterSpec, type KafkaSplit } from './types.js';

/** The reader's view of one assigned split. */
export interface ReaderSplit {
  readonly split: KafkaSplit;
  /** Next offset to fetch. */
  fetchOffset: string;
  /** Records buffered (fetched, not yet polled). */
  bufferedRecords: number;
  paused: boolean;
  finished: boolean;
  inFlight: boolean;
}

export interface FetcherHost {
  splitsOf(cluster: string): ReaderSplit[];
  /** Is `split` still the live object for its id (not removed or re-added meanwhile)? */
  isLive(split: ReaderSplit): boolean;
  deliver(split: ReaderSplit, fetched: FetchedPartition): void;
  spec(cluster: string): KafkaClusterSpec | undefined;
}

export interface FetcherOptions {
  transport: KafkaTransportFactory;
  fetchMaxWaitMs: number;
  fetchMaxBytesPerPartition: number;
  maxBufferedRecordsPerSplit: number;
  backoff: { initialMs: number; maxMs: number };
  logger: Logger;
}

/** Wait used for a Fetch that leaves some of the node's partitions out. */
const SHORT_WAIT_MS = 20;

export class ClusterFetcher {
  private running = true;
  private readonly signal = new Signal();
  private live: KafkaTransport | undefined;
  /** The client being connected or used (closed by `close` to cut a hanging connect short). */
  private current: KafkaTransport | undefined;
  private committing: Promise<void> | undefined;
  private readonly done: Promise<void>;

  constructor(
    readonly cluster: string,
    private readonly host: FetcherHost,
    private readonly o: FetcherOptions,
  ) {
    this.done = this.supervise();
  }

  /** Something changed (splits added, buffer drained, resumed): look for work now. */
  kick(): void {
    this.signal.notify();
  }

  /** True while connected and fetching. */
  get healthy(): boolean {
    return this.live !== undefined;
  }

  /** Commit offsets to `groupId` in the background (skipped while unreachable or still committing). */
  commit(groupId: string, offsets: Array<TopicPartition & { offset: string }>): void {
    const client = this.live;
    if (client === undefined || this.committing !== undefined || offsets.length === 0) return;
    this.committing = client
      .commitOffsets(groupId, offsets)
      .catch((err: unknown) => this.o.logger.warn({ cluster: this.cluster, groupId, err: String(err) }, 'kafka source: offset commit failed (lag monitors only; not retried)'))
      .finally(() => {
        this.committing = undefined;
      });
  }

  /** Stop fetching; a commit under way (e.g. of the final checkpoint) gets up to 3 s to finish first. */
  async close(): Promise<void> {
    if (this.committing !== undefined) await settleWithin(this.committing, 3000);
    this.running = false;
    const client = this.current;
    this.signal.notify();
    // a request to a hanging broker may outlive close(): the loop then ends on its own after its timeout
    await settleWithin(Promise.all([client?.close(), this.done]), 1000);
  }

  private async supervise(): Promise<void> {
    const backoff = new Backoff(this.o.backoff.initialMs, this.o.backoff.maxMs);
    let failures = 0;
    while (this.running) {
      const spec = this.host.spec(this.cluster);
      if (spec === undefined) {
        await this.signal.wait(500); // not (yet) in the cluster list: the enumerator removes its splits
        continue;
      }
      const client = this.o.transport(spec);
      this.current = client;
      let connected = false;
      let since = 0;
      try {
        await client.connect();
        connected = true;
        if (!this.running) break;
        this.live = client;
        if (failures > 0) this.o.logger.info({ cluster: this.cluster, failures }, 'kafka source: cluster reachable again, resuming its splits');
        failures = 0;
        since = Date.now();
        await this.session(client, spec);
        backoff.reset();
      } catch (err) {
        // the delays only start over after a session that lasted: a cluster failing right after connecting still backs off
        if (since > 0 && Date.now() - since > 10_000) backoff.reset();
        if (!this.running) break;
        failures++;
        const fields = { cluster: this.cluster, connected, failures, err: String(err) };
        if (failures === 1 || failures % 20 === 0) this.o.logger.warn(fields, 'kafka source: cluster unreachable; its splits wait (retrying with backoff)');
        else this.o.logger.debug(fields, 'kafka source: cluster still unreachable');
      } finally {
        this.live = undefined;
        this.current = undefined;
        await client.close().catch(() => {});
      }
      if (this.running && failures > 0) await this.signal.wait(backoff.delay());
    }
  }

  /** Fetch until a connection-level failure (thrown) or a settings change (returns). */
  private async session(client: KafkaTransport, spec: KafkaClusterSpec): Promise<void> {
    const state = { failure: undefined as unknown, refresh: false, needLeaders: true };
    const busyNodes = new Set<number>();
    let leaders = new Map<string, number>();
    let lastLeaderLookup = 0;
    while (this.running && state.failure === undefined) {
      if (this.host.spec(this.cluster) !== spec) return;
      const splits = this.host.splitsOf(this.cluster);
      for (const s of splits) if (!s.finished && !leaders.has(s.split.id)) state.needLeaders = true;
      if (state.needLeaders && Date.now() - lastLeaderLookup >= (state.refresh ? 300 : 0)) {
        lastLeaderLookup = Date.now();
        const byNode = await client.leaders(
          splits.map((s) => ({ topic: s.split.topic, partition: s.split.partition })),
          state.refresh,
        );
        leaders = new Map();
        for (const [node, tps] of byNode) for (const tp of tps) leaders.set(splitId(this.cluster, tp), node);
        state.needLeaders = splits.some((s) => !s.finished && !leaders.has(s.split.id));
        state.refresh = state.needLeaders; // a partition without a leader: ask again after a pause
      }
      const perNode = new Map<number, { fetch: ReaderSplit[]; active: number }>();
      for (const s of splits) {
        const node = leaders.get(s.split.id);
        if (node === undefined || s.paused || s.finished || busyNodes.has(node)) continue;
        let entry = perNode.get(node);
        if (entry === undefined) perNode.set(node, (entry = { fetch: [], active: 0 }));
        entry.active++;
        if (s.inFlight || s.bufferedRecords >= this.o.maxBufferedRecordsPerSplit) continue;
        if (s.split.stopOffset !== undefined && BigInt(s.fetchOffset) >= BigInt(s.split.stopOffset)) continue;
        entry.fetch.push(s);
      }
      for (const [node, { fetch, active }] of perNode) {
        if (fetch.length === 0) continue;
        busyNodes.add(node);
        for (const s of fetch) s.inFlight = true;
        client
          .fetch(node, {
            partitions: fetch.map((s) => ({ topic: s.split.topic, partition: s.split.partition, offset: s.fetchOffset })),
            maxWaitMs: fetch.length === active ? this.o.fetchMaxWaitMs : SHORT_WAIT_MS,
            maxBytesPerPartition: this.o.fetchMaxBytesPerPartition,
          })
          .then((results) => {
            const byId = new Map(fetch.map((f) => [f.split.id, f]));
            for (const r of results) {
              const s = byId.get(splitId(this.cluster, r));
              if (s !== undefined && this.host.isLive(s) && s.fetchOffset === r.fetchOffset) this.host.deliver(s, r);
            }
          })
          .catch(async (err: unknown) => {
            if (err instanceof OffsetOutOfRangeError) await this.resetOutOfRange(client, fetch, err).catch((e: unknown) => (state.failure ??= e));
            else if (err instanceof StaleMetadataError) {
              state.needLeaders = true;
              state.refresh = true;
            } else state.failure ??= err;
          })
          .finally(() => {
            busyNodes.delete(node);
            for (const s of fetch) s.inFlight = false;
            this.signal.notify();
          });
      }
      await this.signal.wait(state.needLeaders ? 300 : 1000);
    }
    if (state.failure !== undefined) throw state.failure;
  }

  /** The split's offset is gone (retention) or beyond the end: continue at the earliest, or the end. */
  private async resetOutOfRange(client: KafkaTransport, fetch: ReaderSplit[], err: OffsetOutOfRangeError): Promise<void> {
    const s = fetch.find((f) => f.split.topic === err.topic && f.split.partition === err.partition);
    if (s === undefined || !this.host.isLive(s)) return;
    const earliest = (await client.listOffsets(err.topic, 'earliest')).get(err.partition);
    const latest = (await client.listOffsets(err.topic, 'latest')).get(err.partition);
    if (earliest === undefined || latest === undefined) return;
    const to = BigInt(s.fetchOffset) < BigInt(earliest) ? earliest : latest;
    this.o.logger.warn({ split: s.split.id, from: s.fetchOffset, to }, 'kafka source: offset out of range; skipping to the nearest valid offset');
    s.fetchOffset = to;
  }
}
