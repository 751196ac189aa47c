/**
 * Dedupe by a unique id within a TTL, for `keyBy(idOf).process(name, dedupe({ ttlMs }))`: the
 * first record of an id passes, later ones are dropped (or sent to `duplicateTag`) until the id
 * expires. Event time (default): the id expires when the watermark passes first timestamp + TTL,
 * so the result is deterministic and restores exactly. Processing time: core's state TTL.
 *
 * State per key (id): ValueState `seen` (timestamp of the first record); one event-time timer.
 */

import type { KeyedProcessFunction, OutputTag, ValueState } from '@weir/core';

export interface DedupeOptions {
  ttlMs: number;
  /** 'event' (default): expiry by watermark; 'processing': by wall clock via state TTL. */
  time?: 'event' | 'processing';
  /** Dropped duplicates go here when given. */
  duplicateTag?: OutputTag<unknown>;
}

export function dedupe<T>(options: DedupeOptions): () => KeyedProcessFunction<string, T, T> {
  const { ttlMs, duplicateTag } = options;
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new RangeError(`dedupe TTL must be a positive integer number of ms, got ${ttlMs}`);
  const eventTime = (options.time ?? 'event') === 'event';
  return () => {
    let seen: ValueState<number>;
    return {
      open(ctx) {
        seen = ctx.state.valueState<number>('seen', eventTime ? {} : { ttl: { ttlMs } });
      },
      processElement(value, ctx) {
        const first = seen.value();
        // expired by the watermark even if the timer has not run yet (see regular-join.ts)
        if (first !== undefined && (!eventTime || first + ttlMs > ctx.timers.currentWatermark())) {
          if (duplicateTag !== undefined) ctx.output(duplicateTag, value);
          return;
        }
        seen.update(ctx.timestamp);
        if (eventTime) ctx.timers.registerEventTimeTimer(ctx.timestamp + ttlMs);
        ctx.emit(value);
      },
      onTimer(_timestamp, ctx) {
        if (ctx.timeDomain === 'event') seen.clear();
      },
    };
  };
}
