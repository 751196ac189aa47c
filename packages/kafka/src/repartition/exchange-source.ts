/**
 * The reading side of a repartition exchange: the Kafka source over the repartition topic,
 * with partitions dealt by key group (partition p goes to the instance owning key group p)
 * instead of round-robin. The inner enumerator deals for one instance; this wrapper hands the
 * reader only the partitions of this instance's key groups and keeps the rest out of sight.
 *
 * It ends by itself: a partition (split) finishes once the end markers of every writer of the
 * current writer set were read in it, and the source ends once all its partitions finished
 * (`endsWithUpstream`: a drain lets it read to that end). What was read of the writers (their
 * count, who ended) is kept in the split's state, so a restored reader knows the ends it read.
 */

import type { PollResult, Source, SourceReader, SplitEnumerator, SplitEnumeratorContext } from '@weir/core';
import type { KafkaEnumeratorState, KafkaRecord, KafkaSplit } from '../source/types.js';
import { isMarker, type ExchangeProgress, type WriterProgress } from './watermark-markers.js';

/** A repartition partition's split: the Kafka position plus what was read of its writers. */
export interface ExchangeSplit extends KafkaSplit {
  readonly writers?: WriterProgress;
}

export function keyGroupOwnedSource(
  inner: Source<KafkaRecord, KafkaSplit, KafkaEnumeratorState>,
  owns: (partition: number) => boolean,
  ensureTopic: () => Promise<void>,
  progress: ExchangeProgress,
): Source<KafkaRecord, ExchangeSplit, KafkaEnumeratorState> {
  return {
    boundedness: 'bounded',
    endsWithUpstream: true,
    createReader: (ctx) => new EndAwareReader(inner.createReader(ctx), progress),
    createEnumerator(ctx, restored): SplitEnumerator<ExchangeSplit, KafkaEnumeratorState> {
      // splits the inner enumerator dealt to "the one instance" that are not this instance's
      const elsewhere = new Map<string, KafkaSplit>();
      // the topic has one partition per key group: once every owned one is held, no split can come
      const checkAllHeld = () => {
        const held = new Set([...ctx.assignedSplits().values()].map((s) => s.partition));
        if (progress.owned.every((p) => held.has(p))) ctx.signalNoMoreSplits();
      };
      const innerCtx: SplitEnumeratorContext<KafkaSplit> = {
        subtask: 0,
        parallelism: 1,
        logger: ctx.logger,
        assignSplits(splits) {
          const mine = splits.filter((s) => owns(s.partition));
          for (const s of splits) if (!owns(s.partition)) elsewhere.set(s.id, s);
          if (mine.length > 0) {
            ctx.assignSplits(mine);
            checkAllHeld();
          }
        },
        removeSplits(ids) {
          for (const id of ids) elsewhere.delete(id);
          const held = ids.filter((id) => ctx.assignedSplits().has(id));
          if (held.length > 0) ctx.removeSplits(held);
        },
        signalNoMoreSplits: () => ctx.signalNoMoreSplits(),
        assignedSplits: () => new Map([...elsewhere, ...ctx.assignedSplits()]),
      };
      const e = inner.createEnumerator(innerCtx, restored === undefined ? undefined : { state: { ...restored.state, parallelism: 1 }, assigned: restored.assigned });
      return {
        async start() {
          await ensureTopic();
          // a rescaled restore hands every old instance's partitions to every new one: keep ours
          const gone = [...ctx.assignedSplits().values()].filter((s) => !owns(s.partition));
          for (const s of gone) elsewhere.set(s.id, s);
          if (gone.length > 0) ctx.removeSplits(gone.map((s) => s.id));
          await e.start();
          checkAllHeld();
        },
        ...(e.handleSplitRequest ? { handleSplitRequest: () => e.handleSplitRequest!() } : {}),
        addSplitsBack: (splits) => e.addSplitsBack(splits),
        snapshotState: (id) => e.snapshotState(id),
        close: () => e.close(),
      };
    },
  };
}

/**
 * The Kafka reader plus the writers' markers: it feeds them to the exchange's progress (event
 * time and ends), stores the progress in each batch's split state and finishes a partition once
 * every writer ended in it. Records after the completing end marker in the same fetch (only
 * markers re-sent by ended writers can be there) are passed on and filtered by the decode step.
 */
class EndAwareReader implements SourceReader<KafkaRecord, ExchangeSplit> {
  /** Splits reported finished (each once). */
  private readonly finished = new Set<string>();
  /** Restored splits whose writers had all ended (not expected: a split is finished with its last batch). */
  private pendingFinished: ExchangeSplit[] = [];

  constructor(
    private readonly inner: SourceReader<KafkaRecord, KafkaSplit>,
    private readonly progress: ExchangeProgress,
  ) {
    progress.reset();
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  addSplits(splits: ExchangeSplit[]): void {
    const read: ExchangeSplit[] = [];
    for (const s of splits) {
      if (s.writers !== undefined) this.progress.seed(s.partition, s.writers);
      if (this.progress.isComplete(s.partition)) this.pendingFinished.push(s);
      else read.push(s);
    }
    if (read.length > 0) this.inner.addSplits(read);
  }

  removeSplits(splitIds: string[]): void {
    this.inner.removeSplits(splitIds);
  }

  async poll(maxWaitMs: number): Promise<PollResult<KafkaRecord, ExchangeSplit>> {
    const result = await this.inner.poll(this.pendingFinished.length > 0 ? 0 : maxWaitMs);
    const batches = result.batches as PollResult<KafkaRecord, ExchangeSplit>['batches'];
    const finishedSplits = [...(result.finishedSplits ?? [])];
    const ended: string[] = [];
    for (const b of batches) {
      const partition = b.splitState.partition;
      const records = b.records;
      for (let i = 0; i < records.length; i++) if (isMarker(records[i]!)) this.progress.observe(records[i]!);
      const writers = this.progress.snapshot(partition);
      if (writers !== undefined) b.splitState = { ...b.splitState, writers };
      if (this.progress.isComplete(partition) && !this.finished.has(b.splitId)) {
        this.finished.add(b.splitId);
        ended.push(b.splitId);
      }
    }
    for (const s of this.pendingFinished.splice(0)) {
      if (this.finished.has(s.id)) continue;
      this.finished.add(s.id);
      finishedSplits.push(s.id);
    }
    if (ended.length > 0) {
      // paused, not removed: the reader keeps committing their final offsets to the group
      this.inner.pauseSplits(ended);
      finishedSplits.push(...ended);
    }
    return { batches, finishedSplits };
  }

  wakeup(): void {
    this.inner.wakeup();
  }

  pauseSplits(splitIds: string[]): void {
    this.inner.pauseSplits(splitIds);
  }

  resumeSplits(splitIds: string[]): void {
    const live = splitIds.filter((id) => !this.finished.has(id));
    if (live.length > 0) this.inner.resumeSplits(live);
  }

  notifyCheckpointComplete(checkpointId: number, splits: ExchangeSplit[]): Promise<void> | void {
    return this.inner.notifyCheckpointComplete?.(checkpointId, splits);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
