/**
 * Replica assignments: Kafka's checks of a manual assignment (KRaft ReplicationControlManager
 * validateManualPartitionAssignment, answered with INVALID_REPLICA_ASSIGNMENT) and the
 * rack-unaware placement of a replication factor.
 */

/** Why Kafka refuses a manual assignment of one partition, or null. */
export function assignmentError(replicas: readonly number[], brokerIds: readonly number[]): string | null {
  if (replicas.length === 0) return 'The manual partition assignment includes an empty replica list.';
  const seen = new Set<number>();
  for (const id of replicas) {
    if (!brokerIds.includes(id)) return `The manual partition assignment includes broker ${id}, but no such broker is registered.`;
    if (seen.has(id)) return `The manual partition assignment includes the broker ${id} more than once.`;
    seen.add(id);
  }
  return null;
}

/**
 * Replicas of one partition: the round-robin leader, then the next brokers in id order, so
 * leaders and followers spread evenly (the shape of Kafka's rack-unaware assignment).
 */
export function placeReplicas(brokerIds: readonly number[], start: number, partition: number, replicationFactor: number): number[] {
  const n = brokerIds.length;
  if (n === 0) return [];
  const first = (start + partition) % n;
  return Array.from({ length: Math.min(replicationFactor, n) }, (_, k) => brokerIds[(first + k) % n]!);
}

/** Replicas as Kafka reports them: during a reassignment the targets, then the ones being removed. */
export function reportedReplicas(p: { replicas: number[]; reassignTo: number[] | null }): number[] {
  const target = p.reassignTo;
  return target ? [...target, ...p.replicas.filter((id) => !target.includes(id))] : p.replicas;
}
