/**
 * The reading side of a repartition exchange: the Kafka source over the repartition topic,
 * with partitions dealt by key group (partition p goes to the instance owning key group p)
 * instead of round-robin. The inner enumerator deals for one instance; this wrapper hands the
 * reader only the partitions of this instance's key groups and keeps the rest out of sight.
 */

import type { Source, SplitEnumerator, SplitEnumeratorContext } from '@weir/core';
import type { KafkaEnumeratorState, KafkaRecord, KafkaSplit } from '../source/types.js';

export function keyGroupOwnedSource(
  inner: Source<KafkaRecord, KafkaSplit, KafkaEnumeratorState>,
  owns: (partition: number) => boolean,
  ensureTopic: () => Promise<void>,
): Source<KafkaRecord, KafkaSplit, KafkaEnumeratorState> {
  return {
    boundedness: inner.boundedness,
    createReader: (ctx) => inner.createReader(ctx),
    createEnumerator(ctx, restored): SplitEnumerator<KafkaSplit, KafkaEnumeratorState> {
      // splits the inner enumerator dealt to "the one instance" that are not this instance's
      const elsewhere = new Map<string, KafkaSplit>();
      const innerCtx: SplitEnumeratorContext<KafkaSplit> = {
        subtask: 0,
        parallelism: 1,
        logger: ctx.logger,
        assignSplits(splits) {
          const mine = splits.filter((s) => owns(s.partition));
          for (const s of splits) if (!owns(s.partition)) elsewhere.set(s.id, s);
          if (mine.length > 0) ctx.assignSplits(mine);
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
        },
        ...(e.handleSplitRequest ? { handleSplitRequest: () => e.handleSplitRequest!() } : {}),
        addSplitsBack: (splits) => e.addSplitsBack(splits),
        snapshotState: (id) => e.snapshotState(id),
        close: () => e.close(),
      };
    },
  };
}
