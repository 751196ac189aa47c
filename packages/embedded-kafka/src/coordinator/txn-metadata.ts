/** Transaction states (Prepare* are instantaneous here: markers are written synchronously). */
export type TxnStateName = 'Empty' | 'Ongoing' | 'PrepareCommit' | 'PrepareAbort' | 'CompleteCommit' | 'CompleteAbort';

/** Largest producer epoch; a bump past it allocates a new producer id. */
export const MAX_PRODUCER_EPOCH = 32767;

/** One transactional id's producer and its current transaction. */
export interface TxnMetadata {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  state: TxnStateName;
  /** Partitions in the current transaction, keyed `topic\0partition`. */
  partitions: Map<string, { topic: string; partition: number }>;
  /** Groups whose offsets the transaction commits (AddOffsetsToTxn). */
  groups: Set<string>;
  /** When the current transaction became Ongoing (its timeout counts from here). */
  startedMs: number;
}

/** JSON-friendly form of a TxnMetadata. */
export interface TxnRow {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  state: TxnStateName;
  partitions: Array<{ topic: string; partition: number }>;
  groups: string[];
  startedMs: number;
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export function toRow(txn: TxnMetadata): TxnRow {
  return {
    transactionalId: txn.transactionalId,
    producerId: txn.producerId,
    producerEpoch: txn.producerEpoch,
    timeoutMs: txn.timeoutMs,
    state: txn.state,
    partitions: [...txn.partitions.values()].map((p) => ({ ...p })),
    groups: [...txn.groups],
    startedMs: txn.startedMs,
  };
}

export function fromRow(row: TxnRow): TxnMetadata {
  return {
    transactionalId: row.transactionalId,
    producerId: row.producerId,
    producerEpoch: row.producerEpoch,
    timeoutMs: row.timeoutMs,
    state: row.state,
    partitions: new Map(row.partitions.map((p) => [partitionKey(p.topic, p.partition), { topic: p.topic, partition: p.partition }])),
    groups: new Set(row.groups),
    startedMs: row.startedMs,
  };
}
