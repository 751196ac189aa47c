/** The run-time schema of {@link PipelineOptions}, tied to the interface at compile time. */

import { z } from 'zod';
import type { CheckpointStorage } from '../checkpoint/storage.js';
import type { Logger } from '../metrics/logger.js';
import { MetricsRegistry } from '../metrics/registry.js';
import { DEFAULT_MAX_PARALLELISM, MAX_MAX_PARALLELISM } from '../state/key-groups.js';
import { closest, editDistance } from '../options/suggest.js';
import { count, custom, durationMs, fn, oneOf, schemaFor, strictObject, withMethods } from '../options/validate.js';
import type { RestartStrategy } from '../runtime/restart-strategy.js';
import type { StateBackendFactory } from '../state/types.js';
import type { PipelineOptions } from './pipeline.js';
import type { KeyExchange } from './exchange.js';

const restartStrategy = schemaFor<RestartStrategy>()(
  z.discriminatedUnion('kind', [
    strictObject({ kind: z.literal('none') }),
    strictObject({ kind: z.literal('fixed-delay'), maxAttempts: count(0), delayMs: durationMs() }, { attempts: "renamed to 'maxAttempts'" }),
    strictObject(
      {
        kind: z.literal('exponential-backoff'),
        initialDelayMs: durationMs(),
        maxDelayMs: durationMs(),
        multiplier: z.number().finite().min(1).optional(),
        maxAttempts: count(0).optional(),
        resetAfterMs: durationMs().optional(),
      },
      { attempts: "renamed to 'maxAttempts'" },
    ),
  ]),
);

const RESTORE_KEYWORDS = ['latest', 'none'];

/**
 * `'latest'`, `'none'` or a checkpoint directory. A bare word close to a keyword is a typo,
 * not a directory: `'lastest'` must not end as "ENOENT lastest/_metadata.json".
 */
const restoreFrom = z
  .string()
  .min(1)
  .superRefine((v, ctx) => {
    if (RESTORE_KEYWORDS.includes(v) || /[/\\]/.test(v) || v.startsWith('.') || v.startsWith('~')) return;
    const near = closest(v, RESTORE_KEYWORDS);
    if (near !== undefined && editDistance(v, near) <= 2) {
      ctx.addIssue({ code: 'custom', message: `'${v}' is neither 'latest', 'none' nor a path (did you mean '${near}'? for a directory of that name write './${v}')` });
    }
  });

const checkpoints = strictObject({
  intervalMs: durationMs().optional(),
  timeoutMs: durationMs().optional(),
  minPauseMs: durationMs().optional(),
  keep: count(1).optional(),
  dir: z.string().min(1).optional(),
  storage: withMethods<CheckpointStorage>(['filesFor', 'publish', 'latest', 'load'], 'a CheckpointStorage').optional(),
});

export const pipelineOptionsSchema = schemaFor<PipelineOptions>()(
  strictObject({
    name: z.string().min(1),
    checkpoints: checkpoints.optional(),
    stateBackend: withMethods<StateBackendFactory>(['create'], 'a state backend factory').optional(),
    workDir: z.string().min(1).optional(),
    restart: restartStrategy.optional(),
    errorPolicy: oneOf(['fail', 'dead-letter']).optional(),
    restoreFrom: z.union([restoreFrom, z.array(z.string().min(1)).min(1)]).optional(),
    allowNonRestoredState: z.boolean().optional(),
    allowRestoreAfterDrain: z.boolean().optional(),
    subtask: count(0).optional(),
    parallelism: count(1).optional(),
    maxParallelism: count(1).max(MAX_MAX_PARALLELISM).optional(),
    exchange: withMethods<KeyExchange>(['route'], 'a KeyExchange (e.g. kafkaExchange)').optional(),
    logger: withMethods<Logger>(['debug', 'info', 'warn', 'error', 'child'], 'a Logger').optional(),
    metrics: custom<MetricsRegistry>((v) => v instanceof MetricsRegistry, 'a MetricsRegistry').optional(),
    pollTimeoutMs: durationMs().optional(),
    stopGracePeriodMs: durationMs().optional(),
    skipRecordAfterFailures: count(1).optional(),
    signal: custom<AbortSignal>((v) => v instanceof AbortSignal, 'an AbortSignal').optional(),
    now: fn<() => number>().optional(),
  }).superRefine((o, ctx) => {
    if (o.subtask !== undefined && o.subtask >= (o.parallelism ?? 1)) {
      ctx.addIssue({ code: 'custom', path: ['subtask'], message: `must be below parallelism (${o.parallelism ?? 1})` });
    }
    const maxParallelism = o.maxParallelism ?? DEFAULT_MAX_PARALLELISM;
    if ((o.parallelism ?? 1) > maxParallelism) {
      ctx.addIssue({ code: 'custom', path: ['parallelism'], message: `must be at most maxParallelism (${maxParallelism}): a key group is never split between instances` });
    }
  }),
);
