/**
 * @weir/operators — stream operators built on @weir/core's public keyed state and timers.
 * See README.md for the operators and their state layout.
 */

export type { Aggregate } from './aggregate.js';
export { windowed } from './windows/window.js';
export { session, sliding, tumbling } from './windows/spec.js';
export type { WindowCounters, WindowSpec, WindowedOptions } from './windows/spec.js';
export { dedupe } from './dedupe.js';
export type { DedupeOptions } from './dedupe.js';
export { orderByTime } from './ordering.js';
export type { OrderOptions } from './ordering.js';
export { joinInputs } from './joins/join-input.js';
export type { JoinInput } from './joins/join-input.js';
export { intervalJoin } from './joins/interval-join.js';
export type { IntervalJoinOptions } from './joins/interval-join.js';
export { windowJoin } from './joins/window-join.js';
export type { WindowJoinOptions } from './joins/window-join.js';
export { regularJoin } from './joins/regular-join.js';
export type { RegularJoinOptions } from './joins/regular-join.js';
export { temporalJoin } from './joins/temporal-join.js';
export type { TemporalJoinOptions } from './joins/temporal-join.js';
export { multiHorizon } from './horizons/multi-horizon.js';
export type { MultiHorizonOptions, MultiHorizonResult } from './horizons/multi-horizon.js';
export type { HorizonFeatures } from './horizons/slice-stats.js';
export { asyncLookup } from './lookup/async-lookup.js';
export type { AsyncLookup, AsyncLookupOptions, LookupStats } from './lookup/async-lookup.js';
export type { RetryClock, RetryPolicy } from './lookup/retry.js';
