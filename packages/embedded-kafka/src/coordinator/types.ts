/**
 * Contract between broker handlers and the cluster-wide coordinators (one of each per cluster).
 * Request/response bodies use the generated protocol codec's shapes: schema field names with the
 * first letter lower-cased, int64 as number, bytes as Buffer.
 */

/** What the transaction coordinator needs from the cluster's logs and group coordinator. */
export interface TxnClusterAccess {
  /** Whether the topic-partition exists. */
  partitionExists(topic: string, partition: number): boolean;
  /** Write a commit/abort marker to a partition's log (see PartitionLogApi.appendTxnMarker). */
  writeTxnMarker(topic: string, partition: number, producerId: number, producerEpoch: number, commit: boolean, nowMs: number): void;
  /** Apply (commit) or drop (abort) offsets staged by TxnOffsetCommit for a group. */
  completeTxnOffsets(groupId: string, producerId: number, commit: boolean): void;
}

/** Persisted state hooks: the broker's storage layer saves snapshots when `onChange` fires. */
export interface PersistableCoordinator<S> {
  snapshot(): S;
  restore(state: S): void;
  onChange(listener: () => void): void;
  close(): void;
}
