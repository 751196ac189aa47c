/**
 * Tumbling and sliding windows by slicing. A record updates the one slice (gcd of size and slide)
 * it falls into; a firing window merges its slices. Per key there is one pending event-time timer
 * for the next window end that has data (plus one cleanup timer with allowed lateness), never a
 * timer per window per record.
 *
 * State per key: MapState `slices` (slice start -> accumulator) and ValueState `fired` (the
 * highest window end already handled, so a window never fires twice on time).
 */

import type { KeyedProcessFunction, MapState, ProcessContext, ValueState, WindowResult } from '@weir/core';
import type { Aggregate } from '../aggregate.js';
import { windowGrid } from './grid.js';
import type { ResolvedWindowOptions } from './spec.js';

type Ctx<R> = ProcessContext<string, WindowResult<R>>;

export function slicedWindows<I, A, R>(
  spec: { sizeMs: number; slideMs: number; offsetMs: number },
  aggregate: Aggregate<I, A, R>,
  options: ResolvedWindowOptions,
): () => KeyedProcessFunction<string, I, WindowResult<R>> {
  const grid = windowGrid(spec.sizeMs, spec.slideMs, spec.offsetMs);
  const { lateness, lateTag, counters } = options;
  return () => {
    let slices: MapState<number, A>;
    let fired: ValueState<number>;

    const emitWindow = (ctx: Ctx<R>, starts: readonly number[], end: number, from: number): number => {
      let i = from;
      while (i < starts.length && starts[i]! < end - grid.sizeMs) i++;
      let acc = aggregate.create();
      let j = i;
      for (; j < starts.length && starts[j]! < end; j++) acc = aggregate.merge(acc, slices.get(starts[j]!)!);
      if (j > i) ctx.emit({ key: ctx.key, start: end - grid.sizeMs, end, value: aggregate.result(acc) }, end - 1);
      return i;
    };

    /** A record for windows that already fired but are within the allowed lateness: fire them again now. */
    const fireLate = (ctx: Ctx<R>, first: number, last: number, wm: number): void => {
      const starts = [...slices.keys()].sort((a, b) => a - b);
      const upTo = Math.min(last, grid.floorEnd(wm + 1));
      for (let end = Math.max(first, grid.ceilEnd(wm + 2 - lateness)); end <= upTo; end += grid.slideMs) emitWindow(ctx, starts, end, 0);
      const done = grid.floorEnd(wm + 1);
      if ((fired.value() ?? -Infinity) < done) fired.update(done);
    };

    return {
      open(ctx) {
        slices = ctx.state.mapState<number, A>('slices');
        fired = ctx.state.valueState<number>('fired');
      },

      processElement(value, ctx) {
        const wm = ctx.timers.currentWatermark();
        const s = grid.sliceStart(ctx.timestamp);
        const last = grid.lastEnd(s);
        if (last - 1 + lateness <= wm) {
          if (counters !== undefined) counters.lateRecords++;
          ctx.output(lateTag, value);
          return;
        }
        const prev = slices.get(s);
        slices.put(s, aggregate.add(prev ?? aggregate.create(), value));
        const first = grid.firstEnd(s);
        if (first - 1 <= wm) fireLate(ctx, first, last, wm);
        if (prev !== undefined) return; // the slice's timers are already pending
        if (last - 1 > wm) ctx.timers.registerEventTimeTimer(Math.max(first, grid.ceilEnd(wm + 2)) - 1);
        if (lateness > 0) ctx.timers.registerEventTimeTimer(last - 1 + lateness);
      },

      onTimer(_timestamp, ctx) {
        const wm = ctx.timers.currentWatermark();
        const starts = [...slices.keys()].sort((a, b) => a - b);
        const before = fired.value() ?? -Infinity;
        let done = before;
        if (starts.length > 0) {
          // fire every window with data that ended since the last firing, skipping empty stretches
          let end = Math.max(before + grid.slideMs, grid.firstEnd(starts[0]!));
          let lo = 0;
          while (end - 1 <= wm) {
            lo = emitWindow(ctx, starts, end, lo);
            if (lo === starts.length) break;
            end = Math.max(end + grid.slideMs, grid.firstEnd(starts[lo]!));
          }
          done = Math.max(before, grid.floorEnd(wm + 1));
        }
        let kept = 0;
        let nextFire = Infinity;
        for (const s of starts) {
          const last = grid.lastEnd(s);
          if (last - 1 + lateness <= wm) {
            slices.remove(s);
            continue;
          }
          if (kept++ === 0 && lateness > 0) ctx.timers.registerEventTimeTimer(last - 1 + lateness);
          if (nextFire === Infinity && last > done) nextFire = Math.max(done + grid.slideMs, grid.firstEnd(s));
        }
        if (nextFire !== Infinity) ctx.timers.registerEventTimeTimer(nextFire - 1);
        if (kept === 0) fired.clear();
        else if (done !== before) fired.update(done);
      },
    };

  };
}
