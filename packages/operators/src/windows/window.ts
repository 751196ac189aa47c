/** `windowed`: the keyed process function behind tumbling, sliding and session windows. */

import type { KeyedProcessFunction, WindowResult } from '@weir/core';
import type { Aggregate } from '../aggregate.js';
import { sessionWindows } from './session-windows.js';
import { slicedWindows } from './sliced-windows.js';
import { resolveWindowOptions, type WindowSpec, type WindowedOptions } from './spec.js';

/**
 * Event-time windows per key with incremental aggregation, for `keyBy(...).process(name, windowed(...))`.
 * A window emits `{ key, start, end, value }` at event time `end - 1` when the watermark passes it.
 */
export function windowed<I, A, R>(spec: WindowSpec, aggregate: Aggregate<I, A, R>, options: WindowedOptions = {}): () => KeyedProcessFunction<string, I, WindowResult<R>> {
  const resolved = resolveWindowOptions(options);
  return spec.kind === 'session' ? sessionWindows(spec.gapMs, aggregate, resolved) : slicedWindows(spec, aggregate, resolved);
}
