/** `@weir/operators/nexmark`: the Nexmark generator, source and queries. */

export { NexmarkGenerator } from './generator.js';
export type { NexmarkConfig } from './generator.js';
export type { Auction, Bid, NexmarkEvent, Person } from './model.js';
export { nexmarkSource, nexmarkTimeOf, nexmarkWatermarks } from './source.js';
export type { NexmarkSourceOptions } from './source.js';
export { q0, q1, q2, q3 } from './queries.js';
export { q4 } from './q4.js';
export { q5, q7, q8, q11, q13 } from './window-queries.js';
export type { Q3Result } from './queries.js';
export { NEXMARK_SQL, q13SideValue } from './reference-sql.js';
export type { NexmarkQueryName } from './reference-sql.js';
