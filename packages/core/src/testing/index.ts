/**
 * @weir/core/testing — run a pipeline deterministically in a test: feed records with event
 * times per split, move watermarks and processing time, checkpoint, restore, read the output.
 */

export { TestDriver } from './test-driver.js';
export type { TestDriverOptions, TestInput, TestInputOptions } from './test-driver.js';
export type { TestRecord } from './test-source.js';
