/**
 * Session windows: a record opens [ts, ts + gap) and merges with every session of its key it
 * overlaps or touches. A session fires when the watermark passes its end and is dropped after
 * the allowed lateness; a late record that still merges into a kept session fires it again.
 *
 * State per key: MapState `sessions` (session start -> { end, acc }). Timers at end - 1 (fire)
 * and end - 1 + lateness (drop) per session; timers of sessions that merged away are left to
 * fire and find nothing, which is cheaper than tracking them.
 */

import type { KeyedProcessFunction, MapState, WindowResult } from '@weir/core';
import type { Aggregate } from '../aggregate.js';
import type { ResolvedWindowOptions } from './spec.js';

interface Session<A> {
  end: number;
  acc: A;
}

export function sessionWindows<I, A, R>(gapMs: number, aggregate: Aggregate<I, A, R>, options: ResolvedWindowOptions): () => KeyedProcessFunction<string, I, WindowResult<R>> {
  const { lateness, lateTag, counters } = options;
  return () => {
    let sessions: MapState<number, Session<A>>;
    return {
      open(ctx) {
        sessions = ctx.state.mapState<number, Session<A>>('sessions');
      },

      processElement(value, ctx) {
        const wm = ctx.timers.currentWatermark();
        let start = ctx.timestamp;
        let end = ctx.timestamp + gapMs;
        const merged: Array<[number, Session<A>]> = [];
        for (const [s, session] of sessions.entries()) {
          if (s <= end && session.end >= start) merged.push([s, session]);
        }
        for (const [s, session] of merged) {
          start = Math.min(start, s);
          end = Math.max(end, session.end);
        }
        if (end - 1 + lateness <= wm) {
          if (counters !== undefined) counters.lateRecords++;
          ctx.output(lateTag, value);
          return;
        }
        let acc = aggregate.create();
        for (const [s, session] of merged) {
          acc = aggregate.merge(acc, session.acc);
          sessions.remove(s);
        }
        acc = aggregate.add(acc, value);
        sessions.put(start, { end, acc });
        if (end - 1 <= wm) ctx.emit({ key: ctx.key, start, end, value: aggregate.result(acc) }, end - 1);
        else ctx.timers.registerEventTimeTimer(end - 1);
        if (lateness > 0) ctx.timers.registerEventTimeTimer(end - 1 + lateness);
      },

      onTimer(timestamp, ctx) {
        const wm = ctx.timers.currentWatermark();
        for (const [start, session] of [...sessions.entries()]) {
          if (session.end - 1 === timestamp) ctx.emit({ key: ctx.key, start, end: session.end, value: aggregate.result(session.acc) }, timestamp);
          // a later session's own timer may be due in this same watermark step: it is dropped there, after firing
          if (session.end - 1 <= timestamp && session.end - 1 + lateness <= wm) sessions.remove(start);
        }
      },
    };
  };
}
