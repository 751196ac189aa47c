/**
 * Event-time windows on keyed streams, built on keyed state and event-time timers: a window
 * fires when the watermark passes its end, late records go to a side output.
 */

import type { KeyedProcessFunction } from './functions.js';
import { OutputTag } from './functions.js';
import type { MapState } from '../state/types.js';

export interface WindowAssigner {
  /** Start times of the windows `timestamp` belongs to. */
  assign(timestamp: number): number[];
  readonly sizeMs: number;
}

/** Fixed, non-overlapping windows of `sizeMs` (aligned to the epoch plus `offsetMs`). */
export function tumblingWindows(sizeMs: number, offsetMs = 0): WindowAssigner {
  if (!(sizeMs > 0)) throw new RangeError('window size must be > 0');
  return {
    sizeMs,
    assign: (ts) => [ts - (((ts - offsetMs) % sizeMs) + sizeMs) % sizeMs],
  };
}

/** Overlapping windows of `sizeMs` starting every `slideMs`. */
export function slidingWindows(sizeMs: number, slideMs: number): WindowAssigner {
  if (!(sizeMs > 0) || !(slideMs > 0)) throw new RangeError('window size and slide must be > 0');
  return {
    sizeMs,
    assign: (ts) => {
      const last = ts - ((ts % slideMs) + slideMs) % slideMs;
      const starts: number[] = [];
      for (let start = last; start > ts - sizeMs; start -= slideMs) starts.push(start);
      return starts;
    },
  };
}

/** An incremental aggregation (Flink's AggregateFunction). */
export interface WindowAggregate<I, A, R> {
  create(): A;
  add(acc: A, value: I): A;
  result(acc: A): R;
}

export interface WindowResult<R> {
  key: string;
  start: number;
  end: number;
  value: R;
}

export interface WindowOptions {
  /** Keep windows open this long after their end for late records (default 0). */
  allowedLatenessMs?: number;
}

/** Records that arrived after their windows were closed. */
export const LATE_DATA = new OutputTag<unknown>('weir.late-data');

/** The keyed process function behind `KeyedStream.window`. */
export function windowFunction<I, A, R>(assigner: WindowAssigner, aggregate: WindowAggregate<I, A, R>, options: WindowOptions = {}): () => KeyedProcessFunction<string, I, WindowResult<R>> {
  const lateness = options.allowedLatenessMs ?? 0;
  return () => {
    let windows: MapState<number, A>;
    return {
      open(ctx) {
        windows = ctx.state.mapState<number, A>('windows');
      },
      processElement(value, ctx) {
        const wm = ctx.timers.currentWatermark();
        let assigned = false;
        for (const start of assigner.assign(ctx.timestamp)) {
          const end = start + assigner.sizeMs;
          if (end - 1 + lateness <= wm) continue; // window already fired and purged
          assigned = true;
          windows.put(start, aggregate.add(windows.get(start) ?? aggregate.create(), value));
          ctx.timers.registerEventTimeTimer(end - 1);
          if (lateness > 0) ctx.timers.registerEventTimeTimer(end - 1 + lateness);
        }
        if (!assigned) ctx.output(LATE_DATA, value);
      },
      onTimer(timestamp, ctx) {
        for (const [start, acc] of [...windows.entries()]) {
          const end = start + assigner.sizeMs;
          if (end - 1 === timestamp) ctx.emit({ key: ctx.key, start, end, value: aggregate.result(acc) }, end - 1);
          if (end - 1 + lateness <= timestamp) windows.remove(start);
        }
      },
    };
  };
}
