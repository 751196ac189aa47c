import { launchCluster, type EmbeddedCluster, type StartClusterOptions } from './cluster/embedded-cluster.js';

/**
 * A Kafka cluster for a test: an embedded one, or the external cluster named by the environment
 * variable WEIR_KAFKA_BROKERS ("host:port,host:port") so the same test runs against real Kafka.
 */
export type TestKafkaTarget =
  | (EmbeddedCluster & { readonly external: false })
  | { readonly external: true; readonly bootstrapServers: string[]; stop(): Promise<void> };

/** Returns the external cluster when WEIR_KAFKA_BROKERS is set (stop() is then a no-op), else starts an embedded one. */
export async function testCluster(opts?: StartClusterOptions): Promise<TestKafkaTarget> {
  const env = process.env.WEIR_KAFKA_BROKERS;
  if (env && env.trim() !== '') {
    return { external: true, bootstrapServers: env.split(',').map((s) => s.trim()).filter(Boolean), stop: async () => {} };
  }
  return (await launchCluster(opts)) as EmbeddedCluster & { external: false };
}
