/**
 * @weir/embedded-kafka: a Kafka-wire-compatible cluster inside a Node process, for tests, examples
 * and demos. Several brokers per cluster, several clusters per process, fault injection, optional
 * persistence, and the `weir-kafka` CLI.
 *
 * ```ts
 * const cluster = await startCluster({ brokers: 3, topics: [{ name: 'orders', partitions: 6 }] });
 * const kafka = new Kafka({ brokers: cluster.bootstrapServers });
 * // ...
 * await cluster.stop();
 * ```
 */
import { launchCluster, type EmbeddedCluster, type StartClusterOptions } from './cluster/embedded-cluster.js';

export type { EmbeddedCluster, EmbeddedBroker, StartClusterOptions } from './cluster/embedded-cluster.js';
export type { ClusterLogger } from './cluster/cluster.js';
export type { BrokerLimits } from './broker/limits.js';
export type { ListenerSpec, SecurityProtocol } from './security/listeners.js';
export type { SaslMechanism } from './security/sasl.js';
export type { TlsOptions } from './security/tls.js';
export type { AclSpec, AuthorizerOptions } from './security/acls.js';
export type { FailRequestsSpec, HangRequestsSpec, LatencySpec, FaultTimes } from './faults/faults.js';
export { testCluster, type TestKafkaTarget } from './testing.js';

/** Starts one cluster (resolves once every broker listens). */
export function startCluster(opts?: StartClusterOptions): Promise<EmbeddedCluster> {
  return launchCluster(opts);
}

/**
 * Starts `n` independent clusters. With a non-zero `basePort`, cluster c's broker b listens on
 * basePort + c * brokers + b; explicit non-zero listener ports move by c * (their span + 1), so
 * 9092/9095/9098 becomes 9099/9102/9105 for cluster 1. With a `dataDir`, cluster c stores in
 * `<dataDir>/cluster-<c>`.
 */
export async function startClusters(n: number, opts: StartClusterOptions = {}): Promise<EmbeddedCluster[]> {
  const brokers = opts.brokers ?? 1;
  const ports = (opts.listeners ?? []).map((l) => l.port).filter((p) => p > 0);
  const span = ports.length > 0 ? Math.max(...ports) - Math.min(...ports) + 1 : 0;
  const clusters: EmbeddedCluster[] = [];
  try {
    for (let c = 0; c < n; c++) {
      clusters.push(
        await launchCluster({
          ...opts,
          basePort: opts.basePort ? opts.basePort + c * brokers : 0,
          listeners: opts.listeners?.map((l) => ({ ...l, port: l.port > 0 ? l.port + c * span : 0 })),
          dataDir: opts.dataDir ? `${opts.dataDir}/cluster-${c}` : undefined,
        }),
      );
    }
  } catch (err) {
    await Promise.all(clusters.map((c) => c.stop()));
    throw err;
  }
  return clusters;
}
