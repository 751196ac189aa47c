/** The run-time schemas of {@link KafkaExchangeOptions} and {@link DeleteRepartitionTopicsOptions}, tied to the interfaces at compile time. */

import { z } from 'zod';
import { count, durationMs, fn, schemaFor, strictObject, withMethods } from '@weir/core';
import { connectionShape } from '../transport/connection-schema.js';
import type { KafkaTransportFactory } from '../transport/types.js';
import type { KafkaExchangeOptions } from './kafka-exchange.js';
import type { DeleteRepartitionTopicsOptions } from './topics.js';

const connection = strictObject(connectionShape);

export const kafkaExchangeOptionsSchema = schemaFor<KafkaExchangeOptions>()(
  strictObject({
    cluster: connection,
    serde: withMethods<NonNullable<KafkaExchangeOptions['serde']>>(['serialize', 'deserialize'], 'an object with serialize(value) and deserialize(bytes)').optional(),
    replicationFactor: count(1).optional(),
    markerIntervalMs: durationMs().optional(),
    discoveryIntervalMs: durationMs().optional(),
    transactionTimeoutMs: durationMs().optional(),
    transport: fn<KafkaTransportFactory>().optional(),
  }),
);

export const deleteRepartitionTopicsOptionsSchema = schemaFor<DeleteRepartitionTopicsOptions>()(
  strictObject({
    connection,
    jobName: z.string().min(1),
    steps: z.array(z.string().min(1)),
    transport: fn<KafkaTransportFactory>().optional(),
  }),
);
