/** Metrics and logs, public surface (re-exported by the package index); per-step and per-split metrics objects stay internal. */
export { MetricsRegistry } from './registry.js';
export type { MetricsRegistryOptions } from './registry.js';
export type { CheckpointRecord, CheckpointStats, JobState, JobStatusSnapshot, RestoredFrom, SplitStatus, StepStatus } from './status.js';
export { consoleLogger, silentLogger } from './logger.js';
export type { ConsoleLoggerOptions, LogFn, Logger, LogLevel } from './logger.js';
