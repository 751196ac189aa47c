/** Builders for error responses shared by several handlers. */

/** Maps request topics/partitions to per-partition error entries. */
export function perPartition<T>(
  topics: Array<{ name: string; partitions: T[] }> | null | undefined,
  entry: (p: T) => Record<string, unknown>,
): Array<{ name: string; partitions: Array<Record<string, unknown>> }> {
  return (topics ?? []).map((t) => ({ name: t.name, partitions: t.partitions.map(entry) }));
}

/** OffsetCommit / TxnOffsetCommit response with `errorCode` for every requested partition. */
export function offsetCommitError(req: { topics: Array<{ name: string; partitions: Array<{ partitionIndex: number }> }> }, errorCode: number): any {
  return { throttleTimeMs: 0, topics: perPartition(req.topics, (p) => ({ partitionIndex: p.partitionIndex, errorCode })) };
}
