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
export type { FailRequestsSpec, HangRequestsSpec, LatencySpec, FaultTimes } from './faults/faults.js';
export { testCluster, type TestKafkaTarget } from './testing.js';

export const VERSION = '0.1.0';

/** Starts one cluster (resolves once every broker listens). */
export function startCluster(opts?: StartClusterOptions): Promise<EmbeddedCluster> {
  return launchCluster(opts);
}

/**
 * Starts `n` independent clusters. With a non-zero `basePort`, cluster c's broker b listens on
 * basePort + c * brokers + b; with a `dataDir`, cluster c stores in `<dataDir>/cluster-<c>`.
 */
export async function startClusters(n: number, opts: StartClusterOptions = {}): Promise<EmbeddedCluster[]> {
  const brokers = opts.brokers ?? 1;
  const clusters: EmbeddedCluster[] = [];
  try {
    for (let c = 0; c < n; c++) {
      clusters.push(
        await launchCluster({
          ...opts,
          basePort: opts.basePort ? opts.basePort + c * brokers : 0,
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
