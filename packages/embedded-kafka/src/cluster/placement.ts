/** Placement rules: partition leaders round-robin over live brokers, coordinators by key hash. */

/** Java String.hashCode, so placement is stable across runs and processes. */
export function stringHash(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return h;
}

/** Broker id leading partition `partition` of a topic whose round-robin starts at `start`. */
export function roundRobinLeader(liveIds: readonly number[], start: number, partition: number): number {
  if (liveIds.length === 0) return -1;
  return liveIds[(start + partition) % liveIds.length]!;
}

/** Broker id coordinating `key` (group id or transactional id) among the live brokers. */
export function coordinatorFor(liveIds: readonly number[], key: string): number {
  if (liveIds.length === 0) return -1;
  return liveIds[Math.abs(stringHash(key) % liveIds.length)]!;
}
