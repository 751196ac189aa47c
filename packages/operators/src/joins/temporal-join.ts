/**
 * Event-time temporal join against a versioned table: the right side is a changelog (upserts
 * and deletes per key, a version's time is its event time); each left record is joined with the
 * right value of its key as of the left record's event time. Left records wait until the
 * watermark reaches them (then every version up to their time has arrived); left records and
 * versions behind the watermark go to `lateTag` because they would rewrite history already
 * emitted. Versions older than the newest one at or below the watermark (and below every pending
 * left record) are dropped.
 *
 * State per key: MapState `pending` (left timestamp -> records), MapState `versions` (version
 * time -> right record, the last arrival wins); one timer per pending left timestamp and per version.
 */

import { LATE_DATA, type KeyedProcessFunction, type MapState, type OutputTag } from '@weir/core';
import { appendAt } from '../timestamp-buffer.js';
import type { JoinInput } from './join-input.js';

export interface TemporalJoinOptions<L, R, O> {
  /** `right` is undefined for a left record without a live version (only called when `outer`). */
  join: (left: L, right: R | undefined) => O;
  /** Whether a right record deletes its key (default: never). */
  isDelete?: (right: R) => boolean;
  /** Emit left records without a version too (left outer join); default false (inner). */
  outer?: boolean;
  lateTag?: OutputTag<unknown>;
}

export function temporalJoin<L, R, O>(options: TemporalJoinOptions<L, R, O>): () => KeyedProcessFunction<string, JoinInput<L, R>, O> {
  const { join, outer = false } = options;
  const isDelete = options.isDelete ?? (() => false);
  const lateTag = options.lateTag ?? LATE_DATA;
  return () => {
    let pending: MapState<number, L[]>;
    let versions: MapState<number, R>;

    /** The live right value as of `ts` (undefined when none or deleted). */
    const asOf = (ts: number): R | undefined => {
      let best = -Infinity;
      for (const vts of versions.keys()) if (vts <= ts && vts > best) best = vts;
      const v = best === -Infinity ? undefined : versions.get(best);
      return v === undefined || isDelete(v) ? undefined : v;
    };

    return {
      open(ctx) {
        pending = ctx.state.mapState<number, L[]>('pending');
        versions = ctx.state.mapState<number, R>('versions');
      },
      processElement(input, ctx) {
        const ts = ctx.timestamp;
        if (ts <= ctx.timers.currentWatermark()) {
          ctx.output(lateTag, input);
          return;
        }
        if (input.side === 'left') {
          if (appendAt(pending, ts, input.value)) ctx.timers.registerEventTimeTimer(ts);
        } else {
          versions.put(ts, input.value);
          ctx.timers.registerEventTimeTimer(ts);
        }
      },
      onTimer(timestamp, ctx) {
        const due = pending.get(timestamp);
        if (due !== undefined) {
          pending.remove(timestamp);
          const right = asOf(timestamp);
          if (right !== undefined || outer) for (const l of due) ctx.emit(join(l, right), timestamp);
        }
        // keep the newest version at or below the bound and all after it: left records still
        // pending (due in this same watermark step) and all future ones are at or after the bound
        let bound = ctx.timers.currentWatermark();
        for (const lts of pending.keys()) bound = Math.min(bound, lts);
        let current = -Infinity;
        for (const vts of versions.keys()) if (vts <= bound && vts > current) current = vts;
        for (const vts of [...versions.keys()]) if (vts < current) versions.remove(vts);
        if (current !== -Infinity && isDelete(versions.get(current)!)) versions.remove(current);
      },
    };
  };
}
