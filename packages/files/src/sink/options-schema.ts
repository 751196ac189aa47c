/** The run-time schema of {@link BucketedFileSinkOptions}, tied to the interface at compile time. */

import { z } from 'zod';
import { count, custom, durationMs, fn, MetricsRegistry, oneOf, schemaFor, strictObject, withMethods } from '@weir/core';
import type { BulkFormat } from '../format/types.js';
import type { PartitionCommitPolicy } from '../partition/types.js';
import type { MergeHook } from './merge.js';
import type { BucketedFileSinkOptions } from './options.js';
import { TimeBuckets } from './time-buckets.js';
import { timeZone, writableStorage } from '../options/shared-schemas.js';

type Options = BucketedFileSinkOptions<any>;

export const bucketedFileSinkOptionsSchema = schemaFor<Options>()(
  strictObject({
    storage: writableStorage,
    streamOf: fn<Options['streamOf']>(),
    timestampOf: fn<NonNullable<Options['timestampOf']>>().optional(),
    format: withMethods<BulkFormat<any>>(['open', 'merge'], 'a BulkFormat').optional(),
    partitionPattern: z.string().min(1).optional(),
    timeZone: timeZone.optional(),
    maxPartBytes: count(1).optional(),
    rolloverMs: durationMs().optional(),
    concurrency: count(1).optional(),
    merge: strictObject({ mode: oneOf(['on-ready', 'continuous', 'off']).optional(), targetBytes: count(1).optional(), minFiles: count(2).optional() }).optional(),
    readiness: strictObject({
      delayMs: durationMs().optional(),
      streams: z.array(z.string().min(1)).readonly().optional(),
      policies: z.array(withMethods<PartitionCommitPolicy>(['commit'], 'a PartitionCommitPolicy')).readonly().optional(),
      retainMs: durationMs().optional(),
      finalWaitMs: durationMs().optional(),
    }).optional(),
    late: strictObject({ mode: oneOf(['side-output', 'reannounce']).optional(), onLate: fn<NonNullable<NonNullable<Options['late']>['onLate']>>().optional() }).optional(),
    metrics: custom<MetricsRegistry>((v) => v instanceof MetricsRegistry, 'a MetricsRegistry').optional(),
    mergeHook: fn<MergeHook>().optional(),
  }).superRefine((o, ctx) => {
    // the pattern is only parsed when the job starts: check it now
    try {
      new TimeBuckets(o.partitionPattern ?? 'dt=YYYY-MM-DD/hour=HH', o.timeZone ?? 'UTC');
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['partitionPattern'], message: (err as Error).message });
    }
  }),
);
