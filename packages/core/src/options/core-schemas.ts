/** Run-time schemas of core's smaller factories and step options, tied to their types at compile time. */

import { z } from 'zod';
import type { AsyncMapOptions, StepOptions } from '../api/graph.js';
import type { BroadcastOptions } from '../broadcast/broadcast-value.js';
import type { WindowOptions } from '../api/windows.js';
import type { GeneratorSourceOptions } from '../source/generator-source.js';
import type { LevelStateBackendOptions } from '../state/level/level-state-backend.js';
import type { ConsoleLoggerOptions, LogLevel } from '../metrics/logger.js';
import type { MetricsRegistryOptions } from '../metrics/registry.js';
import { count, durationMs, fn, oneOf, schemaFor, strictObject } from './validate.js';

const onError = oneOf(['fail', 'dead-letter']).optional();

export const stepOptionsSchema = schemaFor<StepOptions>()(strictObject({ onError }));
export const asyncMapOptionsSchema = schemaFor<AsyncMapOptions>()(strictObject({ onError, concurrency: count(1).optional(), order: oneOf(['ordered', 'unordered']).optional() }));
export const windowOptionsSchema = schemaFor<WindowOptions & StepOptions>()(strictObject({ onError, allowedLatenessMs: durationMs().optional() }));

export const broadcastOptionsSchema = schemaFor<BroadcastOptions<any>>()(strictObject({ watch: fn<NonNullable<BroadcastOptions<any>['watch']>>().optional() }));

export const generatorSourceOptionsSchema = schemaFor<GeneratorSourceOptions<any>>()(
  strictObject({
    splits: count(1).optional(),
    recordsPerSplit: count(0).optional(),
    generate: fn<(split: number, offset: number) => any>(),
    batchSize: count(1).optional(),
    ratePerSecond: z.number().finite().positive().optional(),
  }),
);

export const iterableSourceOptionsSchema = strictObject({ position: fn().optional(), resumeFrom: fn().optional(), batchSize: count(1).optional() });
export const collectionSourceOptionsSchema = strictObject({ splits: count(1).optional(), batchSize: count(1).optional() });

/** `consoleLogger(level, options)`: a level from an environment variable is a common typo. */
export const consoleLoggerArgsSchema = strictObject({
  level: schemaFor<LogLevel>()(oneOf(['debug', 'info', 'warn', 'error', 'silent'])),
  options: schemaFor<ConsoleLoggerOptions>()(strictObject({ write: fn<(line: string) => void>().optional(), now: fn<() => number>().optional() })),
});

export const metricsRegistryOptionsSchema = schemaFor<MetricsRegistryOptions>()(
  strictObject({
    defaultLabels: z.record(z.string(), z.string()).optional(),
    recentCheckpoints: count(1).optional(),
    checkpointDurationBucketsMs: z.array(z.number().finite()).readonly().optional(),
    now: fn<() => number>().optional(),
  }),
);

export const levelStateBackendOptionsSchema = schemaFor<LevelStateBackendOptions>()(
  strictObject({ cacheSize: count(0).optional(), flushThreshold: count(1).optional(), maxPendingFlushes: count(1).optional(), syncReads: z.boolean().optional() }),
);
