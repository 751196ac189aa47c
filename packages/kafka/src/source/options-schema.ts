/** Run-time schemas of the source's options and cluster specs, tied to their interfaces at compile time. */

import { z } from 'zod';
import { count, custom, durationMs, fn, oneOf, schemaFor, strictObject } from '@weir/core';
import { connectionHints, connectionShape } from '../transport/connection-schema.js';
import type { KafkaTransportFactory } from '../transport/types.js';
import type { ClusterSource, KafkaClusterSpec, KafkaSourceOptions, StartPosition } from './types.js';

const fallback = oneOf(['earliest', 'latest']).optional();

type Offsets = Record<number, string | number>;
// partitions are object keys (strings at run time); offsets are decimal strings or integers
const offsets = z.record(z.string().regex(/^\d+$/, 'partition numbers as keys'), z.union([z.string().regex(/^\d+$/, 'a decimal offset'), count(0)]));

const startPosition = schemaFor<StartPosition>()(
  z.union([
    oneOf(['earliest', 'latest']),
    strictObject({ timestamp: z.number().finite() }),
    strictObject({ committed: z.string().min(1), fallback }),
    strictObject({ offsets: offsets as unknown as z.ZodType<Offsets, Offsets>, fallback }),
  ]),
);

export const clusterSpecSchema = schemaFor<KafkaClusterSpec>()(
  strictObject(
    {
      name: z
        .string()
        .min(1)
        .refine((n) => !n.includes('/'), "must not contain '/' (it separates the parts of split ids)"),
      ...connectionShape,
      topics: z.union([z.array(z.string().min(1)), custom<RegExp>((v) => v instanceof RegExp, 'a RegExp')]),
      startFrom: startPosition.optional(),
      startFromByTopic: z.record(z.string(), startPosition).optional(),
    },
    connectionHints,
  ),
);

/** Cluster names are unique: they are the first part of split ids. */
export const clusterListSchema = z.array(clusterSpecSchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((c, i) => {
    if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate cluster name '${c.name}'` });
    seen.add(c.name);
  });
});

type Provider = Extract<ClusterSource, { provider: unknown }>['provider'];

const clusterSource = schemaFor<ClusterSource>()(
  z.union([
    clusterListSchema,
    strictObject({ file: z.string().min(1), intervalMs: durationMs().optional() }, { reloadIntervalMs: "renamed to 'intervalMs' (as for a provider)" }),
    strictObject({ provider: fn<Provider>(), intervalMs: durationMs().optional() }),
  ]),
);

export const kafkaSourceOptionsSchema = schemaFor<KafkaSourceOptions>()(
  strictObject({
    clusters: clusterSource,
    boundedness: oneOf(['bounded', 'unbounded']).optional(),
    startFrom: startPosition.optional(),
    newSplitsStartFrom: startPosition.optional(),
    discoveryIntervalMs: durationMs().optional(),
    commitGroupId: z.string().min(1).optional(),
    removedClusterRetentionMs: durationMs().optional(),
    fetchMaxWaitMs: durationMs().optional(),
    fetchMaxBytesPerPartition: count(1).optional(),
    maxBufferedRecordsPerSplit: count(1).optional(),
    reconnectBackoff: strictObject({ initialMs: durationMs().optional(), maxMs: durationMs().optional() }).optional(),
    transport: fn<KafkaTransportFactory>().optional(),
  }, { clientFactory: "renamed to 'transport' (one option for the source and the sink)" }),
);
