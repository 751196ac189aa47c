/** The run-time schema of {@link KafkaConnectionOptions}: one cluster connection, shared by the source and the sink. */

import { z } from 'zod';
import { durationMs, schemaFor, strictObject } from '@weir/core';
import type { KafkaConnectionOptions } from './types.js';

const HOST_PORT = /^(?:\[[0-9A-Fa-f:.]+\]|[^\s:/[\]]+):(\d{1,5})$/;

const hostPort = z.string().refine(
  (s) => {
    const m = HOST_PORT.exec(s);
    return m !== null && Number(m[1]) >= 1 && Number(m[1]) <= 65535;
  },
  { error: (issue) => `'${String(issue.input)}' is not 'host:port' (port 1..65535)` },
);

/** A non-empty array of `host:port`; a string (e.g. from an environment variable) fails with a hint. */
export const brokersSchema = z
  .array(hostPort, {
    error: (issue) => {
      if (issue.code !== 'invalid_type' || typeof issue.input !== 'string') return undefined;
      const list = issue.input.split(',').map((s) => `'${s.trim()}'`);
      return `expected an array of 'host:port' strings, got the string '${issue.input}' (write [${list.join(', ')}])`;
    },
  })
  .min(1);

/** Fields of {@link KafkaConnectionOptions}, spread into the source's and the sink's cluster shapes. */
export const connectionShape = {
  brokers: brokersSchema,
  clientId: z.string().min(1).optional(),
  ssl: z.unknown().optional(),
  sasl: z.unknown().optional(),
  connectionTimeoutMs: durationMs().optional(),
  requestTimeoutMs: durationMs().optional(),
};

/** Hints for the sink's former nested KafkaJS config. */
export const connectionHints = {
  kafka: 'connection settings are flat now, as in the source: brokers, clientId, ssl, sasl, connectionTimeoutMs, requestTimeoutMs',
};

export const connectionSchema = schemaFor<KafkaConnectionOptions>()(strictObject(connectionShape, connectionHints));
