/** Builders for fault-injected error responses shared by several handlers. */

/** Response whose only error field is top-level `errorCode`. */
export function topLevelError(errorCode: number, extra: Record<string, unknown> = {}): any {
  return { throttleTimeMs: 0, errorCode, errorMessage: null, ...extra };
}

/** Maps request topics/partitions to per-partition error entries. */
export function perPartition<T>(
  topics: Array<{ name: string; partitions: T[] }> | null | undefined,
  entry: (p: T) => Record<string, unknown>,
): Array<{ name: string; partitions: Array<Record<string, unknown>> }> {
  return (topics ?? []).map((t) => ({ name: t.name, partitions: t.partitions.map(entry) }));
}
