/**
 * In-key ordering by event time within the watermark's bounded delay (CDC streams that arrive
 * reordered): records are buffered per key and released in timestamp order (ties in arrival
 * order) once the watermark reaches their timestamp. A record at or below the watermark can no
 * longer be put in order and goes to `lateTag`.
 *
 * State per key: MapState `pending` (timestamp -> records in arrival order); one event-time timer
 * per distinct pending timestamp.
 */

import { LATE_DATA, type KeyedProcessFunction, type MapState, type OutputTag } from '@weir/core';
import { appendAt } from './timestamp-buffer.js';

export interface OrderOptions {
  /** Records that arrive behind the watermark (default core's `LATE_DATA`). */
  lateTag?: OutputTag<unknown>;
}

export function orderByTime<T>(options: OrderOptions = {}): () => KeyedProcessFunction<string, T, T> {
  const lateTag = options.lateTag ?? LATE_DATA;
  return () => {
    let pending: MapState<number, T[]>;
    return {
      open(ctx) {
        pending = ctx.state.mapState<number, T[]>('pending');
      },
      processElement(value, ctx) {
        const ts = ctx.timestamp;
        if (ts <= ctx.timers.currentWatermark()) {
          ctx.output(lateTag, value);
          return;
        }
        if (appendAt(pending, ts, value)) ctx.timers.registerEventTimeTimer(ts);
      },
      onTimer(timestamp, ctx) {
        const due = pending.get(timestamp);
        if (due === undefined) return;
        pending.remove(timestamp);
        for (const v of due) ctx.emit(v, timestamp);
      },
    };
  };
}
