/**
 * Interval join: pairs (l, r) of one key with l.ts + lowerMs <= r.ts <= l.ts + upperMs, emitted
 * at max(l.ts, r.ts) as soon as the second of the two arrives. Records behind the watermark go to
 * `lateTag`; a record is dropped once no on-time record of the other side can match it any more
 * (left at ts + upper, right at ts - lower), so state is bounded by the watermark.
 *
 * State per key: MapState `left` and `right` (timestamp -> records); one event-time timer per
 * buffered timestamp.
 */

import { LATE_DATA, type KeyedProcessFunction, type MapState, type OutputTag } from '@weir/core';
import { appendAt, removeWhere } from '../timestamp-buffer.js';
import type { JoinInput } from './join-input.js';

export interface IntervalJoinOptions<L, R, O> {
  lowerMs: number;
  upperMs: number;
  join: (left: L, right: R) => O;
  lateTag?: OutputTag<unknown>;
}

export function intervalJoin<L, R, O>(options: IntervalJoinOptions<L, R, O>): () => KeyedProcessFunction<string, JoinInput<L, R>, O> {
  const { lowerMs, upperMs, join } = options;
  if (!(lowerMs <= upperMs)) throw new RangeError(`interval join needs lowerMs <= upperMs, got ${lowerMs} > ${upperMs}`);
  const lateTag = options.lateTag ?? LATE_DATA;
  return () => {
    let left: MapState<number, L[]>;
    let right: MapState<number, R[]>;
    return {
      open(ctx) {
        left = ctx.state.mapState<number, L[]>('left');
        right = ctx.state.mapState<number, R[]>('right');
      },
      processElement(input, ctx) {
        const ts = ctx.timestamp;
        if (ts <= ctx.timers.currentWatermark()) {
          ctx.output(lateTag, input); // tagged: the side is part of what was late
          return;
        }
        if (input.side === 'left') {
          for (const [rts, rs] of right.entries()) {
            if (rts >= ts + lowerMs && rts <= ts + upperMs) for (const r of rs) ctx.emit(join(input.value, r), Math.max(ts, rts));
          }
          if (appendAt(left, ts, input.value)) ctx.timers.registerEventTimeTimer(ts + upperMs);
        } else {
          for (const [lts, ls] of left.entries()) {
            if (ts >= lts + lowerMs && ts <= lts + upperMs) for (const l of ls) ctx.emit(join(l, input.value), Math.max(ts, lts));
          }
          if (appendAt(right, ts, input.value)) ctx.timers.registerEventTimeTimer(ts - lowerMs);
        }
      },
      onTimer(_timestamp, ctx) {
        const wm = ctx.timers.currentWatermark();
        removeWhere(left, (ts) => ts + upperMs <= wm);
        removeWhere(right, (ts) => ts - lowerMs <= wm);
      },
    };
  };
}
