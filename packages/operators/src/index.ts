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
