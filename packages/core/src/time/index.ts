/** Event time, public surface (re-exported by the package index); split and input watermark tracking and alignment stay internal. */
export { MAX_WATERMARK, MIN_WATERMARK } from './types.js';
export type { TimestampAssigner, WatermarkGenerator, WatermarkStrategy } from './types.js';
export { WatermarkStrategies } from './watermark-strategies.js';
export type { AlignmentSettings, FluentWatermarkStrategy } from './watermark-strategies.js';
