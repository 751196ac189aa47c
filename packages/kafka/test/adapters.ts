/**
 * The transport adapters the fast Kafka tests run against (`describe.each(adapters)`). The
 * rest of the suite runs on the default adapter; `WEIR_KAFKA_ADAPTER=platformatic` runs it on
 * the other one.
 */

import { defaultTransport, type KafkaAdapterName } from '../src/index.js';

export const adapters: KafkaAdapterName[] = ['kafkajs', 'platformatic'];

/** A transport for one cluster of `brokers`, as the sink creates it. */
export function transportFor(adapter: KafkaAdapterName, brokers: string[]) {
  return defaultTransport(adapter)({ name: 'test', brokers, requestTimeoutMs: 30_000 });
}
