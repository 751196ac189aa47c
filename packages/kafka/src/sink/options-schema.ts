/** The run-time schema of {@link KafkaSinkOptions}, tied to the interface at compile time. */

import { z } from 'zod';
import { count, durationMs, fn, oneOf, schemaFor, strictObject, withMethods } from '@weir/core';
import type { Registry } from 'prom-client';
import { connectionHints, connectionShape } from '../transport/connection-schema.js';
import type { KafkaTransportFactory } from '../transport/types.js';
import type { KafkaClusterTarget, KafkaSinkOptions, KafkaSinkPartitioner, KafkaSinkRecord } from './types.js';

const clusterTarget = schemaFor<KafkaClusterTarget>()(
  strictObject({ name: z.string().min(1).optional(), weight: z.number().finite().positive().optional(), ...connectionShape }, connectionHints),
);

export const kafkaSinkOptionsSchema = schemaFor<KafkaSinkOptions<any>>()(
  strictObject(
    {
      clusters: z.array(clusterTarget).min(1),
      topic: z.string().min(1).optional(),
      serialize: fn<(record: any) => KafkaSinkRecord>(),
      partitioner: fn<KafkaSinkPartitioner>().optional(),
      guarantee: oneOf(['at-least-once', 'exactly-once']).optional(),
      mode: oneOf(['failover', 'balance', 'replicate']).optional(),
      transactionalIdPrefix: z.string().min(1).optional(),
      transactionPoolSize: count(2).optional(),
      transactionTimeoutMs: durationMs().optional(),
      expectedRestartMs: durationMs().optional(),
      maxBatchRecords: count(1).optional(),
      maxBufferedRecords: count(1).optional(),
      produceTimeoutMs: durationMs().optional(),
      deliveryTimeoutMs: durationMs().optional(),
      compression: count(0).max(4, 'must be a Kafka codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd)').optional(),
      breaker: strictObject({ failureThreshold: count(1).optional(), resetTimeoutMs: durationMs().optional() }).optional(),
      spill: strictObject({ dir: z.string().min(1), maxRecords: count(1).optional(), afterMs: durationMs().optional() }).optional(),
      metricsRegistry: withMethods<Registry>(['registerMetric', 'getSingleMetric'], 'a prom-client Registry').optional(),
      transport: fn<KafkaTransportFactory>().optional(),
    },
    {
      checkpointIntervalMs: "removed: the sink reads the pipeline's checkpoint interval when the job starts",
      requestTimeoutMs: "renamed to 'produceTimeoutMs' (a cluster's requestTimeoutMs is the client's request timeout)",
    },
  ),
);
