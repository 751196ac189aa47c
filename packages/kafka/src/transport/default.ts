/** The transport used when a source or sink names none. */

import { kafkaJsTransport } from './kafkajs-transport.js';
import { platformaticTransport } from './platformatic-transport.js';
import type { KafkaTransportFactory } from './types.js';

/** Names of the built-in transport adapters. */
export type KafkaAdapterName = 'kafkajs' | 'platformatic';

/**
 * The adapter used when neither the `transport` option nor `WEIR_KAFKA_ADAPTER` names one:
 * @platformatic/kafka passes the same tests as KafkaJS and is about twice as fast in the same
 * pipeline (`kafka.pipeline-vs-handloop.*`, see the package README).
 */
export const DEFAULT_ADAPTER: KafkaAdapterName = 'platformatic';

const ADAPTERS: Record<KafkaAdapterName, () => KafkaTransportFactory> = {
  kafkajs: () => kafkaJsTransport(),
  platformatic: () => platformaticTransport(),
};

/**
 * The built-in adapter `name`, or (without a name) the default one: `WEIR_KAFKA_ADAPTER` when
 * set (so a deployment or a test run switches adapters without code changes), else
 * @platformatic/kafka.
 */
export function defaultTransport(name?: KafkaAdapterName): KafkaTransportFactory {
  const chosen = name ?? (process.env.WEIR_KAFKA_ADAPTER || DEFAULT_ADAPTER);
  const make = ADAPTERS[chosen as KafkaAdapterName];
  if (make === undefined) throw new Error(`@weir/kafka: unknown transport adapter '${chosen}' (WEIR_KAFKA_ADAPTER); known: ${Object.keys(ADAPTERS).join(', ')}`);
  return make();
}
