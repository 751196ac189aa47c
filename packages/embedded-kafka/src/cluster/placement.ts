/** Placement rules: coordinators by key hash (partition replicas: see replicas.ts). */

/** Java String.hashCode, so placement is stable across runs and processes. */
export function stringHash(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return h;
}

/**
 * Broker id coordinating `key` (group id or transactional id): its home broker (hash over all
 * brokers) while that one is live, else a live broker by the same hash, so stopping a broker only
 * moves the keys it coordinated, as Kafka moves only the partitions of the dead broker.
 */
export function coordinatorFor(brokerCount: number, liveIds: readonly number[], key: string): number {
  if (liveIds.length === 0) return -1;
  const hash = Math.abs(stringHash(key));
  const home = hash % brokerCount;
  return liveIds.includes(home) ? home : liveIds[hash % liveIds.length]!;
}
