/**
 * Test hook for the exactly-once crash test, wrapped around the sink from outside (the sink
 * itself has no hook): once a transaction with records has been committed, the barrier of the
 * next transaction with records is held forever after the sink's `prepareCommit` returned, and
 * `holding <checkpoint> <value>` goes to stdout (`value`: the transaction's last record). At that
 * moment the records are at the broker, acknowledged (`prepareCommit` flushed them), the
 * transaction is open and its checkpoint cannot complete: a restart restores the checkpoint
 * before and aborts it. The test SIGKILLs the process then, so the kill lands inside an open
 * transaction that holds records. (Holding `commit` instead would not do: a restart commits the
 * transactions of the checkpoint it restores.)
 */

import type { Sink, SinkCommitter, SinkWriter } from '@weir/core';

export function holdOpenTransaction<T extends { value: string }>(inner: Sink<T, unknown, unknown>): Sink<T, unknown, unknown> {
  /** Checkpoint ids whose transaction holds records -> its last value. */
  const lastOf = new Map<number, string>();
  let last: string | undefined;
  let committedRecords = false;
  return {
    async createWriter(ctx, restored, rescale) {
      const w = await inner.createWriter(ctx, restored, rescale);
      const writer: SinkWriter<T, unknown> = {
        write(records, timestamps) {
          if (records.length > 0) last = records[records.length - 1]!.value;
          return w.write(records, timestamps);
        },
        async prepareCommit(id) {
          // records written from here on go into the next transaction
          const value = last;
          last = undefined;
          const committables = await w.prepareCommit(id);
          if (value === undefined) return committables;
          if (committedRecords) {
            process.stdout.write(`holding ${id} ${value}\n`);
            return new Promise<unknown[]>(() => undefined);
          }
          lastOf.set(id, value);
          return committables;
        },
        close: () => w.close(),
      };
      if (w.onWatermark) writer.onWatermark = (wm) => w.onWatermark!(wm);
      if (w.snapshotState) writer.snapshotState = (id) => w.snapshotState!(id);
      return writer;
    },
    async createCommitter(ctx) {
      const c = await inner.createCommitter(ctx);
      const committer: SinkCommitter<unknown> = {
        async commit(id, committables) {
          await c.commit(id, committables);
          if (lastOf.has(id)) committedRecords = true;
        },
      };
      if (c.close) committer.close = () => c.close!();
      return committer;
    },
    ...(inner.abortLeftovers ? { abortLeftovers: (ctx, committables) => inner.abortLeftovers!(ctx, committables) } : {}),
  };
}
