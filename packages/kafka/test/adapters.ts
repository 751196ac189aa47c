/**
 * The transport adapters the fast Kafka tests run against (`describe.each(adapters)`). The
 * rest of the suite runs on the default adapter; `WEIR_KAFKA_ADAPTER=platformatic` runs it on
 * the other one.
 */

import { defaultTransport, type KafkaAdapterName } from '../src/index.js';
import { DEFAULT_ADAPTER } from '../src/transport/default.js';

export const adapters: KafkaAdapterName[] = ['kafkajs', 'platformatic'];

/** A transport for one cluster of `brokers`, as the sink creates it. */
export function transportFor(adapter: KafkaAdapterName, brokers: string[]) {
  return defaultTransport(adapter)({ name: 'test', brokers, requestTimeoutMs: 30_000 });
}

/**
 * The runs of the heavy crash and chaos tests: the default adapter at full size and the other at
 * a smaller size (CI time), or only `WEIR_KAFKA_ADAPTER` at full size when it is set.
 */
export function heavyRuns(): Array<{ adapter: KafkaAdapterName; small: boolean }> {
  const only = process.env.WEIR_KAFKA_ADAPTER;
  if (only !== undefined && only !== '') return [{ adapter: only as KafkaAdapterName, small: false }];
  return adapters.map((adapter) => ({ adapter, small: adapter !== DEFAULT_ADAPTER }));
}

/** The environment of a child job that must run on `adapter`. */
export function adapterEnv(adapter: KafkaAdapterName): NodeJS.ProcessEnv {
  return { ...process.env, WEIR_KAFKA_ADAPTER: adapter };
}
