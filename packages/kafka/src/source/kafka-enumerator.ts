/**
 * The split enumerator: one discovery loop per cluster (retrying forever with capped backoff
 * while the cluster is unreachable, so one dead cluster never holds up the others), ownership
 * of splits by sorting every known split and dealing them round-robin over the instances, start
 * offsets for new splits, and removed clusters' offsets kept for a retention time.
 */

import type { SplitEnumerator, SplitEnumeratorContext } from '@weir/core';
import type { KafkaTransportFactory, KafkaTransport, TopicPartition } from '../transport/types.js';
import type { ClusterDirectory } from './cluster-directory.js';
import { Backoff, Signal, settleWithin } from './signal.js';
import { resolveOffsets, startPositionOf } from './start-positions.js';
import { splitId, type KafkaClusterSpec, type KafkaEnumeratorState, type KafkaSplit, type StartPosition } from './types.js';

export interface EnumeratorSettings {
  bounded: boolean;
  startFrom: StartPosition;
  newSplitsStartFrom: StartPosition;
  discoveryIntervalMs: number;
  removedClusterRetentionMs: number;
  commitGroupId: string | undefined;
  backoff: { initialMs: number; maxMs: number };
  transport: KafkaTransportFactory;
}

interface Loop {
  active: boolean;
  signal: Signal;
  done: Promise<void>;
  /** The loop's client, closed when the loop is stopped (cuts a hanging request short). */
  client?: KafkaTransport;
}

export class KafkaEnumerator implements SplitEnumerator<KafkaSplit, KafkaEnumeratorState> {
  /** Per cluster, its partitions from the last discovery (seeded from restored splits). */
  private readonly discovered = new Map<string, TopicPartition[]>();
  /** Positions of splits this instance knew but does not hold now (ownership moved, cluster removed and re-added). */
  private readonly positions = new Map<string, KafkaSplit>();
  private readonly removed = new Map<string, { removedAt: number; splits: KafkaSplit[] }>();
  private readonly loops = new Map<string, Loop>();
  /** Splits of a first discovery in a fresh run: they start at `startFrom`, later ones at `newSplitsStartFrom`. */
  private readonly initialSplits = new Set<string>();
  private readonly firstDiscoveryDone = new Set<string>();
  private readonly startClusters = new Set<string>();
  private readonly resolving = new Set<string>();
  private readonly restored: boolean;
  private readonly restoredParallelism: number | undefined;
  private boundedPending: Set<string> | undefined;
  private unsubscribe: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly ctx: SplitEnumeratorContext<KafkaSplit>,
    private readonly directory: ClusterDirectory,
    private readonly s: EnumeratorSettings,
    restored: { state: KafkaEnumeratorState; assigned: KafkaSplit[] } | undefined,
  ) {
    this.restored = restored !== undefined;
    // checkpoints written before the parallelism was recorded count as one instance
    this.restoredParallelism = restored === undefined ? undefined : (restored.state?.parallelism ?? 1);
    for (const r of restored?.state?.removed ?? []) this.removed.set(r.cluster, { removedAt: r.removedAt, splits: r.splits });
    for (const split of restored?.assigned ?? []) {
      let list = this.discovered.get(split.cluster);
      if (list === undefined) this.discovered.set(split.cluster, (list = []));
      list.push({ topic: split.topic, partition: split.partition });
    }
  }

  async start(): Promise<void> {
    await this.directory.acquire(this.ctx.logger);
    for (const name of this.directory.all().keys()) this.startClusters.add(name);
    if (this.s.bounded) this.boundedPending = new Set(this.startClusters);
    this.unsubscribe = this.directory.subscribe((all) => this.applyClusters(all));
    this.applyClusters(this.directory.all());
    // restored from a run with another parallelism: hand back what this instance no longer owns
    // before anything is polled (exact when the restored state holds whole clusters, e.g. scaling
    // out from one instance; otherwise discovery corrects the deal moments later)
    if (this.restoredParallelism !== undefined && this.restoredParallelism !== this.ctx.parallelism) this.reconcile(true);
    this.checkBoundedDone();
  }

  addSplitsBack(splits: KafkaSplit[]): void {
    for (const s of splits) this.positions.set(s.id, s);
    for (const loop of this.loops.values()) loop.signal.notify();
  }

  snapshotState(): KafkaEnumeratorState {
    this.pruneRemoved();
    return {
      parallelism: this.ctx.parallelism,
      removed: [...this.removed].map(([cluster, r]) => ({ cluster, removedAt: r.removedAt, splits: r.splits })),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    const loops = [...this.loops.values()];
    this.loops.clear();
    for (const l of loops) this.stopLoop(l);
    // a loop stuck in a request to a hanging cluster ends on its own after the request timeout
    await settleWithin(Promise.all(loops.map((l) => l.done)), 1000);
    this.directory.release();
  }

  /** React to the cluster list: start loops for new clusters, remove the splits of vanished ones. */
  private applyClusters(all: ReadonlyMap<string, KafkaClusterSpec>): void {
    if (this.closed) return;
    this.pruneRemoved();
    const held = new Set<string>([...this.loops.keys(), ...this.discovered.keys()]);
    for (const s of this.ctx.assignedSplits().values()) held.add(s.cluster);
    for (const name of held) if (!all.has(name)) this.removeCluster(name);
    for (const name of all.keys()) {
      const loop = this.loops.get(name);
      if (loop !== undefined) {
        loop.signal.notify(); // settings may have changed: rediscover with them
        continue;
      }
      const back = this.removed.get(name);
      if (back !== undefined) {
        for (const split of back.splits) this.positions.set(split.id, split);
        this.removed.delete(name);
        this.ctx.logger.info({ cluster: name, splits: back.splits.length }, 'kafka source: cluster re-added; its splits resume from their kept offsets');
      }
      this.startLoop(name);
    }
  }

  private removeCluster(name: string): void {
    const loop = this.loops.get(name);
    if (loop !== undefined) {
      this.stopLoop(loop);
      this.loops.delete(name);
    }
    this.discovered.delete(name);
    const mine = [...this.ctx.assignedSplits().values()].filter((s) => s.cluster === name);
    const kept = [...mine, ...[...this.positions.values()].filter((s) => s.cluster === name)];
    for (const s of kept) this.positions.delete(s.id);
    if (kept.length > 0) this.removed.set(name, { removedAt: Date.now(), splits: kept });
    if (mine.length > 0) this.ctx.removeSplits(mine.map((s) => s.id));
    this.ctx.logger.info({ cluster: name, splits: mine.length }, 'kafka source: cluster removed; its offsets are kept for re-adding');
    this.boundedPending?.delete(name);
    this.checkBoundedDone();
  }

  private pruneRemoved(): void {
    const limit = Date.now() - this.s.removedClusterRetentionMs;
    for (const [name, r] of this.removed) if (r.removedAt < limit) this.removed.delete(name);
  }

  private stopLoop(loop: Loop): void {
    loop.active = false;
    loop.signal.notify();
    void loop.client?.close().catch(() => {});
  }

  private startLoop(name: string): void {
    const loop: Loop = { active: true, signal: new Signal(), done: Promise.resolve() };
    this.loops.set(name, loop);
    loop.done = this.discoveryLoop(name, loop);
  }

  private async discoveryLoop(name: string, loop: Loop): Promise<void> {
    const backoff = new Backoff(this.s.backoff.initialMs, this.s.backoff.maxMs);
    let client: KafkaTransport | undefined;
    let clientSpec: KafkaClusterSpec | undefined;
    let failures = 0;
    while (loop.active && !this.closed) {
      const spec = this.directory.get(name);
      if (spec === undefined) break;
      try {
        if (client !== undefined && clientSpec !== spec) {
          await client.close().catch(() => {});
          client = undefined;
        }
        if (client === undefined) {
          client = loop.client = this.s.transport(spec);
          clientSpec = spec;
          await client.connect();
        }
        const complete = await this.discoverOnce(name, spec, client, loop);
        if (failures > 0) this.ctx.logger.info({ cluster: name, failures }, 'kafka source: discovery reaches the cluster again');
        failures = 0;
        backoff.reset();
        if (complete && this.boundedPending?.delete(name)) this.checkBoundedDone();
        if (this.s.bounded && complete) break;
        await loop.signal.wait(complete ? this.s.discoveryIntervalMs : backoff.delay());
      } catch (err) {
        if (!loop.active || this.closed) break;
        failures++;
        const fields = { cluster: name, failures, err: String(err) };
        if (failures === 1 || failures % 20 === 0) this.ctx.logger.warn(fields, 'kafka source: cannot discover topics of cluster (retrying with backoff)');
        else this.ctx.logger.debug(fields, 'kafka source: cluster still unreachable for discovery');
        await client?.close().catch(() => {});
        client = undefined;
        await loop.signal.wait(backoff.delay());
      }
    }
    await client?.close().catch(() => {});
  }

  /** List topics and partitions, re-deal ownership, assign this instance's new splits. True when nothing is left unresolved. */
  private async discoverOnce(name: string, spec: KafkaClusterSpec, client: KafkaTransport, loop: Loop): Promise<boolean> {
    const all = await client.listTopics();
    const topics = spec.topics instanceof RegExp ? all.filter((t) => (spec.topics as RegExp).test(t)) : spec.topics.filter((t) => all.includes(t));
    const counts = await client.partitionCounts(topics);
    if (!loop.active) return true;
    const found: TopicPartition[] = [];
    for (const [topic, n] of counts) for (let partition = 0; partition < n; partition++) found.push({ topic, partition });
    this.discovered.set(name, found);
    if (!this.firstDiscoveryDone.has(name)) {
      this.firstDiscoveryDone.add(name);
      if (!this.restored && this.startClusters.has(name)) for (const tp of found) this.initialSplits.add(splitId(name, tp));
    }
    const pending = this.reconcile().filter((s) => s.cluster === name);
    if (pending.length === 0) return true;
    for (const p of pending) this.resolving.add(p.id);
    try {
      const assigned = await this.resolveStarts(spec, client, pending);
      if (loop.active && !this.closed) {
        // ownership may have moved while offsets were looked up
        const owned = new Set(this.owned().map((s) => s.id));
        const still = assigned.filter((s) => owned.has(s.id) && !this.ctx.assignedSplits().has(s.id));
        if (still.length > 0) this.ctx.assignSplits(still);
      }
      return assigned.length === pending.length;
    } finally {
      for (const p of pending) this.resolving.delete(p.id);
    }
  }

  /**
   * This instance's splits: each cluster's known splits sorted by (topic, partition) and dealt
   * round-robin over the instances, starting at the cluster's rank among the configured cluster
   * names. A cluster's deal depends only on the configuration and its own partitions, so a cluster
   * that is down (or that instances see differently) never moves the splits of another.
   */
  private owned(): Array<TopicPartition & { id: string; cluster: string }> {
    const { subtask, parallelism } = this.ctx;
    const names = [...this.directory.all().keys()].sort();
    const out: Array<TopicPartition & { id: string; cluster: string }> = [];
    names.forEach((cluster, rank) => {
      const tps = [...(this.discovered.get(cluster) ?? [])].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
      tps.forEach((tp, i) => {
        if ((rank + i) % parallelism === subtask) out.push({ ...tp, cluster, id: splitId(cluster, tp) });
      });
    });
    return out;
  }

  /**
   * Remove held splits this instance no longer owns; return owned splits not held yet. Splits of a
   * cluster not discovered in this run yet are left alone (their list may be partial), unless `all`.
   */
  private reconcile(all = false): Array<TopicPartition & { id: string; cluster: string }> {
    const owned = this.owned();
    const ownedIds = new Set(owned.map((s) => s.id));
    const assigned = this.ctx.assignedSplits();
    const gone: string[] = [];
    for (const [id, split] of assigned) {
      if (ownedIds.has(id) || (!all && !this.firstDiscoveryDone.has(split.cluster))) continue;
      this.positions.set(id, split);
      gone.push(id);
    }
    if (gone.length > 0) {
      this.ctx.logger.info({ splits: gone }, 'kafka source: splits no longer owned by this instance (topic deleted or ownership moved)');
      this.ctx.removeSplits(gone);
    }
    return owned.filter((s) => !assigned.has(s.id) && !this.resolving.has(s.id));
  }

  /** Offsets for new splits: a kept position, else the start position (bounded: plus the current end). */
  private async resolveStarts(spec: KafkaClusterSpec, client: KafkaTransport, pending: Array<TopicPartition & { id: string; cluster: string }>): Promise<KafkaSplit[]> {
    const out: KafkaSplit[] = [];
    const byTopic = new Map<string, Array<TopicPartition & { id: string; cluster: string }>>();
    for (const p of pending) {
      const kept = this.positions.get(p.id);
      if (kept !== undefined) {
        out.push(kept);
        this.positions.delete(p.id);
        continue;
      }
      let list = byTopic.get(p.topic);
      if (list === undefined) byTopic.set(p.topic, (list = []));
      list.push(p);
    }
    for (const [topic, parts] of byTopic) {
      const stops = this.s.bounded ? await client.listOffsets(topic, 'latest') : undefined;
      for (const initial of [true, false]) {
        const group = parts.filter((p) => this.initialSplits.has(p.id) === initial);
        if (group.length === 0) continue;
        const position = startPositionOf(spec, topic, initial ? this.s.startFrom : this.s.newSplitsStartFrom, initial);
        // a split this instance did not start with may have been read by another instance (ownership
        // moved, rescaled restore): continue from what its owner committed after its last checkpoint
        const committed = !initial && this.s.commitGroupId !== undefined ? await client.committedOffsets(this.s.commitGroupId, topic) : new Map<number, string>();
        const rest = group.filter((p) => !committed.has(p.partition)).map((p) => p.partition);
        const offsets = rest.length > 0 ? await resolveOffsets(client, topic, rest, position) : new Map<number, string>();
        for (const [p, o] of committed) offsets.set(p, o);
        for (const p of group) {
          const offset = offsets.get(p.partition);
          if (offset === undefined) continue; // not visible yet: retried next round
          const stopOffset = stops?.get(p.partition);
          if (stops !== undefined && stopOffset === undefined) continue;
          out.push({ id: p.id, cluster: p.cluster, topic, partition: p.partition, offset, ...(stopOffset !== undefined ? { stopOffset } : {}) });
        }
      }
    }
    return out;
  }

  private checkBoundedDone(): void {
    if (this.boundedPending !== undefined && this.boundedPending.size === 0) {
      this.boundedPending = undefined;
      this.ctx.signalNoMoreSplits();
    }
  }
}
