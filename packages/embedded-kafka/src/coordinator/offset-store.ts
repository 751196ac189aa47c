/** One committed (or transactionally staged) offset of a group for a topic-partition. */
export interface OffsetEntry {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestampMs: number;
}

/** Flat, JSON-friendly form of one stored offset. */
export interface OffsetRow extends OffsetEntry {
  groupId: string;
  topic: string;
  partition: number;
}

/** A staged transactional offset: applied or dropped when its producer's transaction ends. */
export interface StagedOffsetRow extends OffsetRow {
  producerId: number;
}

type TopicOffsets = Map<string, Map<number, OffsetEntry>>;

function put(target: TopicOffsets, topic: string, partition: number, entry: OffsetEntry): void {
  let partitions = target.get(topic);
  if (partitions === undefined) target.set(topic, (partitions = new Map()));
  partitions.set(partition, entry);
}

function* rows(target: TopicOffsets): Generator<{ topic: string; partition: number; entry: OffsetEntry }> {
  for (const [topic, partitions] of target) for (const [partition, entry] of partitions) yield { topic, partition, entry };
}

/** Committed offsets per group, plus offsets staged by open transactions (per group and producer id). */
export class OffsetStore {
  private readonly committed = new Map<string, TopicOffsets>();
  private readonly staged = new Map<string, Map<number, TopicOffsets>>();

  commit(groupId: string, topic: string, partition: number, entry: OffsetEntry): void {
    let offsets = this.committed.get(groupId);
    if (offsets === undefined) this.committed.set(groupId, (offsets = new Map()));
    put(offsets, topic, partition, entry);
  }

  get(groupId: string, topic: string, partition: number): OffsetEntry | undefined {
    return this.committed.get(groupId)?.get(topic)?.get(partition);
  }

  /** Committed offsets of a group, grouped by topic. */
  topicsOf(groupId: string): ReadonlyMap<string, ReadonlyMap<number, OffsetEntry>> {
    return this.committed.get(groupId) ?? new Map();
  }

  hasOffsets(groupId: string): boolean {
    return this.committed.has(groupId);
  }

  stage(groupId: string, producerId: number, topic: string, partition: number, entry: OffsetEntry): void {
    let byProducer = this.staged.get(groupId);
    if (byProducer === undefined) this.staged.set(groupId, (byProducer = new Map()));
    let offsets = byProducer.get(producerId);
    if (offsets === undefined) byProducer.set(producerId, (offsets = new Map()));
    put(offsets, topic, partition, entry);
  }

  /** Whether some open transaction has staged an offset for this partition (OffsetFetch requireStable). */
  hasStaged(groupId: string, topic: string, partition: number): boolean {
    const byProducer = this.staged.get(groupId);
    if (byProducer === undefined) return false;
    for (const offsets of byProducer.values()) if (offsets.get(topic)?.has(partition)) return true;
    return false;
  }

  /** Apply (commit) or drop (abort) what `producerId` staged for the group; returns whether anything changed. */
  completeStaged(groupId: string, producerId: number, commit: boolean): boolean {
    const byProducer = this.staged.get(groupId);
    const offsets = byProducer?.get(producerId);
    if (byProducer === undefined || offsets === undefined) return false;
    byProducer.delete(producerId);
    if (byProducer.size === 0) this.staged.delete(groupId);
    if (commit) for (const { topic, partition, entry } of rows(offsets)) this.commit(groupId, topic, partition, entry);
    return true;
  }

  deleteGroup(groupId: string): void {
    this.committed.delete(groupId);
    this.staged.delete(groupId);
  }

  /** Group ids holding committed or staged offsets. */
  groupIds(): Set<string> {
    return new Set([...this.committed.keys(), ...this.staged.keys()]);
  }

  committedRows(): OffsetRow[] {
    const out: OffsetRow[] = [];
    for (const [groupId, offsets] of this.committed) {
      for (const { topic, partition, entry } of rows(offsets)) out.push({ groupId, topic, partition, ...entry });
    }
    return out;
  }

  stagedRows(): StagedOffsetRow[] {
    const out: StagedOffsetRow[] = [];
    for (const [groupId, byProducer] of this.staged) {
      for (const [producerId, offsets] of byProducer) {
        for (const { topic, partition, entry } of rows(offsets)) out.push({ groupId, producerId, topic, partition, ...entry });
      }
    }
    return out;
  }

  /** Replace the whole content (restore after a restart). */
  load(committed: readonly OffsetRow[], staged: readonly StagedOffsetRow[]): void {
    this.committed.clear();
    this.staged.clear();
    const entryOf = (r: OffsetEntry): OffsetEntry => ({
      offset: r.offset,
      leaderEpoch: r.leaderEpoch,
      metadata: r.metadata,
      commitTimestampMs: r.commitTimestampMs,
    });
    for (const r of committed) this.commit(r.groupId, r.topic, r.partition, entryOf(r));
    for (const r of staged) this.stage(r.groupId, r.producerId, r.topic, r.partition, entryOf(r));
  }
}
