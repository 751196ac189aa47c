import { testCluster, type TestKafkaTarget } from '../../src/index.js';
import type { StartClusterOptions } from '../../src/index.js';

/**
 * The cluster a conformance test talks to: embedded by default, or the real cluster named by
 * WEIR_KAFKA_BROKERS. Tests that inject faults call `requireEmbedded` and skip when external.
 */
export function kafkaTarget(opts?: StartClusterOptions): Promise<TestKafkaTarget> {
  return testCluster(opts);
}

/** True when tests run against an external cluster (fault tests skip). */
export const isExternal = (): boolean => !!process.env.WEIR_KAFKA_BROKERS;

/** A topic name unique to this run, so tests can share an external cluster. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
