/**
 * Window join: per key and window (tumbling, sliding or session), every left record paired with
 * every right record of that window, emitted when the window fires (at end - 1). Built on
 * `windowed`: the windows' slices hold both sides' records, so a sliding window join stores each
 * record once, not once per window. Records whose windows all fired go to `lateTag` (tagged).
 */

import type { KeyedProcessFunction, OutputTag, ProcessContext, WindowResult } from '@weir/core';
import type { Aggregate } from '../aggregate.js';
import type { WindowCounters, WindowSpec } from '../windows/spec.js';
import { windowed } from '../windows/window.js';
import type { JoinInput } from './join-input.js';

interface Sides<L, R> {
  l: L[];
  r: R[];
}

function sides<L, R>(): Aggregate<JoinInput<L, R>, Sides<L, R>, Sides<L, R>> {
  return {
    create: () => ({ l: [], r: [] }),
    add: (acc, input) => (input.side === 'left' ? { l: [...acc.l, input.value], r: acc.r } : { l: acc.l, r: [...acc.r, input.value] }),
    merge: (a, b) => ({ l: a.l.concat(b.l), r: a.r.concat(b.r) }),
    result: (acc) => acc,
  };
}

export interface WindowJoinOptions {
  lateTag?: OutputTag<unknown>;
  counters?: WindowCounters;
}

type EventContext<O> = ProcessContext<string, O> & { readonly timeDomain?: 'event' | 'processing' };

export function windowJoin<L, R, O>(spec: WindowSpec, join: (left: L, right: R) => O, options: WindowJoinOptions = {}): () => KeyedProcessFunction<string, JoinInput<L, R>, O> {
  const windows = windowed(spec, sides<L, R>(), options);
  return () => {
    const inner = windows();
    let outer!: EventContext<O>;
    // the window function's context; `emit` turns a fired window into its pairs
    const adapter: EventContext<WindowResult<Sides<L, R>>> & { timeDomain: 'event' | 'processing' } = {
      get key() {
        return outer.key;
      },
      get timestamp() {
        return outer.timestamp;
      },
      get timers() {
        return outer.timers;
      },
      get timeDomain() {
        return outer.timeDomain ?? 'event';
      },
      emit(window, timestamp) {
        for (const l of window.value.l) for (const r of window.value.r) outer.emit(join(l, r), timestamp);
      },
      output(tag, value, timestamp) {
        outer.output(tag, value, timestamp);
      },
    };
    return {
      open: (ctx) => inner.open?.(ctx),
      processElement(input, ctx) {
        outer = ctx;
        inner.processElement(input, adapter);
      },
      onTimer(timestamp, ctx) {
        outer = ctx;
        inner.onTimer?.(timestamp, adapter);
      },
    };
  };
}
