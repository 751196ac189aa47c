/**
 * A one-split source over an array with fixed batch boundaries, so the watermark after each
 * batch is known exactly. With `pauseAt` it stops there and stays open (unbounded), which lets a
 * test take a savepoint at an exact position; restored, it continues from the checkpointed offset.
 */

import type { PollResult, Source, SourceReader, SourceSplit } from '@weir/core';

interface ScriptedSplit extends SourceSplit {
  readonly offset: number;
}

export function scriptedSource<T>(records: readonly T[], batchSize: number, pauseAt?: number): Source<T, ScriptedSplit, null> {
  const limit = pauseAt ?? records.length;
  return {
    boundedness: pauseAt === undefined ? 'bounded' : 'unbounded',
    createEnumerator: (ctx, restored) => ({
      async start() {
        if (restored === undefined) ctx.assignSplits([{ id: 'script', offset: 0 }]);
        ctx.signalNoMoreSplits();
      },
      addSplitsBack: (splits) => ctx.assignSplits(splits),
      snapshotState: () => null,
      async close() {},
    }),
    createReader: (): SourceReader<T, ScriptedSplit> => {
      let split: ScriptedSplit | undefined;
      let wake: (() => void) | undefined;
      const read = (): PollResult<T, ScriptedSplit> => {
        if (split === undefined) return { batches: [] };
        const upTo = Math.min(limit, split.offset + batchSize);
        const batches = upTo > split.offset ? [{ splitId: split.id, records: records.slice(split.offset, upTo), splitState: { id: split.id, offset: upTo } }] : [];
        split = { id: split.id, offset: upTo };
        if (pauseAt === undefined && upTo >= records.length) {
          split = undefined;
          return { batches, finishedSplits: ['script'] };
        }
        return { batches };
      };
      return {
        async start() {},
        addSplits(splits) {
          split = splits[0];
          wake?.();
        },
        removeSplits() {
          split = undefined;
        },
        async poll(maxWaitMs) {
          const result = read();
          if (result.batches.length > 0 || result.finishedSplits !== undefined) return result;
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, maxWaitMs);
            wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
          wake = undefined;
          return read();
        },
        wakeup: () => wake?.(),
        pauseSplits() {},
        resumeSplits() {},
        async close() {
          wake?.();
        },
      };
    },
  };
}
