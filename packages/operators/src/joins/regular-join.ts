/**
 * Regular (unwindowed) inner join: every record is paired with every stored record of the other
 * side for its key, and then stored itself; no retractions. State is bounded by a TTL: in event
 * time a record is dropped when the watermark passes ts + ttlMs (deterministic, restores exactly);
 * in processing time a key's records are dropped ttlMs after the last write to them (state TTL).
 * Pairs are emitted at max(left ts, right ts). In event time a record that arrives already expired
 * goes to `lateTag`.
 *
 * State per key: MapState `left` and `right` (timestamp -> records); in event time one timer per
 * stored timestamp.
 */

import { LATE_DATA, type KeyedProcessFunction, type MapState, type OutputTag, type StateDescriptorOptions } from '@weir/core';
import { appendAt, removeWhere } from '../timestamp-buffer.js';
import type { JoinInput } from './join-input.js';

export interface RegularJoinOptions<L, R, O> {
  join: (left: L, right: R) => O;
  ttlMs: number;
  time?: 'event' | 'processing';
  /** Event time: records already expired when they arrive (ts + ttlMs <= watermark), tagged; default `LATE_DATA`. */
  lateTag?: OutputTag<unknown>;
}

export function regularJoin<L, R, O>(options: RegularJoinOptions<L, R, O>): () => KeyedProcessFunction<string, JoinInput<L, R>, O> {
  const { join, ttlMs } = options;
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new RangeError(`join TTL must be a positive integer number of ms, got ${ttlMs}`);
  const eventTime = (options.time ?? 'event') === 'event';
  const lateTag = options.lateTag ?? LATE_DATA;
  const stateOptions: StateDescriptorOptions = eventTime ? {} : { ttl: { ttlMs } };
  return () => {
    let left: MapState<number, L[]>;
    let right: MapState<number, R[]>;
    return {
      open(ctx) {
        left = ctx.state.mapState<number, L[]>('left', stateOptions);
        right = ctx.state.mapState<number, R[]>('right', stateOptions);
      },
      processElement(input, ctx) {
        const ts = ctx.timestamp;
        // expired by the watermark even if the cleanup timer has not run yet: pairs never depend on
        // when timers fire (a restore replays watermark steps below the checkpointed watermark)
        const oldest = eventTime ? ctx.timers.currentWatermark() - ttlMs : -Infinity;
        if (ts <= oldest) {
          ctx.output(lateTag, input); // expired on arrival: joining it would depend on arrival order
          return;
        }
        let added: boolean;
        if (input.side === 'left') {
          for (const [rts, rs] of right.entries()) if (rts > oldest) for (const r of rs) ctx.emit(join(input.value, r), Math.max(ts, rts));
          added = appendAt(left, ts, input.value);
        } else {
          for (const [lts, ls] of left.entries()) if (lts > oldest) for (const l of ls) ctx.emit(join(l, input.value), Math.max(ts, lts));
          added = appendAt(right, ts, input.value);
        }
        if (added && eventTime) ctx.timers.registerEventTimeTimer(ts + ttlMs);
      },
      onTimer(_timestamp, ctx) {
        const wm = ctx.timers.currentWatermark();
        removeWhere(left, (ts) => ts + ttlMs <= wm);
        removeWhere(right, (ts) => ts + ttlMs <= wm);
      },
    };
  };
}
