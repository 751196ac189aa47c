/** An error of one sink cluster: the message names the cluster, the original stays as `cause`. */
export class KafkaClusterError extends Error {
  constructor(
    readonly cluster: string,
    cause: unknown,
  ) {
    super(`cluster '${cluster}': ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Name the cluster on an error that does not already. */
export function inCluster(cluster: string, err: unknown): Error {
  return err instanceof KafkaClusterError ? err : new KafkaClusterError(cluster, err);
}
