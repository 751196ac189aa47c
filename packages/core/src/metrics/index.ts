export { MetricsRegistry, DEFAULT_CHECKPOINT_DURATION_BUCKETS_MS } from './registry.js';
export type { MetricsRegistryOptions } from './registry.js';
export { StepMetrics, SplitMetrics } from './step-metrics.js';
export type { CheckpointRecord, CheckpointStats, JobState, JobStatusSnapshot, RestoredFrom, SplitStatus, StepStatus } from './status.js';
export { consoleLogger, silentLogger } from './logger.js';
export type { ConsoleLoggerOptions, LogFn, Logger, LogLevel } from './logger.js';
