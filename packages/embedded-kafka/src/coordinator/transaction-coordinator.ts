import { ChangeListeners } from './change-listeners.js';
import { ErrorCodes } from '../protocol/index.js';
import type {
  AddOffsetsToTxnRequest,
  AddOffsetsToTxnResponse,
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  AddPartitionsToTxnTopic,
  AddPartitionsToTxnTopicResult,
  EndTxnRequest,
  EndTxnResponse,
  InitProducerIdRequest,
  InitProducerIdResponse,
} from './txn-messages.js';
import { fromRow, MAX_PRODUCER_EPOCH, partitionKey, toRow, type TxnMetadata, type TxnRow } from './txn-metadata.js';
import type { PersistableCoordinator, TxnClusterAccess } from './types.js';

/** Options of a {@link TransactionCoordinator}. */
export interface TransactionCoordinatorOptions {
  /** Clock for transaction start times and timeouts. Default `Date.now`. */
  now?: () => number;
  /** Largest accepted transaction timeout (transaction.max.timeout.ms). Default 900000. */
  maxTransactionTimeoutMs?: number;
  /** How often open transactions are checked for timeout. Default 1000. */
  abortCheckIntervalMs?: number;
  /** First producer id handed out by a fresh cluster. Default 1000. */
  firstProducerId?: number;
}

/** Persisted transaction state: the producer id counter and every transactional id. */
export interface TxnSnapshot {
  version: 1;
  nextProducerId: number;
  transactions: TxnRow[];
}

/** What {@link TransactionCoordinator.describe} reports of a transactional id. */
export interface TxnDescription {
  state: string;
  producerId: number;
  producerEpoch: number;
  partitions: Array<{ topic: string; partition: number }>;
}

/**
 * Fencing error for a stale epoch: PRODUCER_FENCED (90) from the API version that introduced it,
 * INVALID_PRODUCER_EPOCH (47) for older versions (as Kafka converts it; KafkaJS speaks the old ones).
 */
function fencedError(apiVersion: number, firstVersionWithFenced: number): number {
  return apiVersion >= firstVersionWithFenced ? ErrorCodes.PRODUCER_FENCED : ErrorCodes.INVALID_PRODUCER_EPOCH;
}

/**
 * The cluster's transaction coordinator: producer ids and epochs, transaction state per
 * transactional id, commit/abort markers (via {@link TxnClusterAccess}) and timeout aborts.
 * Network-free; broker handlers pass decoded request bodies and encode the returned bodies.
 */
export class TransactionCoordinator implements PersistableCoordinator<TxnSnapshot> {
  private readonly txns = new Map<string, TxnMetadata>();
  private readonly listeners = new ChangeListeners();
  private readonly now: () => number;
  private readonly maxTimeoutMs: number;
  private readonly abortTimer: ReturnType<typeof setInterval>;
  private nextProducerId: number;
  private closed = false;

  constructor(
    private readonly access: TxnClusterAccess,
    opts: TransactionCoordinatorOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.maxTimeoutMs = opts.maxTransactionTimeoutMs ?? 900_000;
    this.nextProducerId = opts.firstProducerId ?? 1000;
    this.abortTimer = setInterval(() => this.abortTimedOut(), opts.abortCheckIntervalMs ?? 1000);
    this.abortTimer.unref?.();
  }

  /**
   * InitProducerId v0-5. Without a transactional id: a fresh producer id with epoch 0. With one: the
   * same producer id with a bumped epoch; an open transaction of that id is aborted first, its
   * markers carrying the bumped epoch so the previous producer is fenced.
   */
  initProducerId(req: InitProducerIdRequest, apiVersion: number): InitProducerIdResponse {
    const fail = (errorCode: number): InitProducerIdResponse => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 });
    if (this.closed) return fail(ErrorCodes.NOT_COORDINATOR);
    if (req.transactionalId === null) {
      const producerId = this.allocateProducerId();
      this.listeners.emit();
      return { throttleTimeMs: 0, errorCode: ErrorCodes.NONE, producerId, producerEpoch: 0 };
    }
    if (req.transactionalId === '') return fail(ErrorCodes.INVALID_REQUEST);
    if (req.transactionTimeoutMs <= 0 || req.transactionTimeoutMs > this.maxTimeoutMs) return fail(ErrorCodes.INVALID_TRANSACTION_TIMEOUT);
    let txn = this.txns.get(req.transactionalId);
    if (txn === undefined) {
      txn = {
        transactionalId: req.transactionalId,
        producerId: this.allocateProducerId(),
        producerEpoch: 0,
        timeoutMs: req.transactionTimeoutMs,
        state: 'Empty',
        partitions: new Map(),
        groups: new Set(),
        startedMs: -1,
      };
      this.txns.set(txn.transactionalId, txn);
    } else {
      // v3+ (KIP-360): a producer resuming with its last id/epoch must still hold them.
      const expectedId = apiVersion >= 3 ? (req.producerId ?? -1) : -1;
      if (expectedId !== -1 && (expectedId !== txn.producerId || req.producerEpoch !== txn.producerEpoch)) {
        return fail(fencedError(apiVersion, 4));
      }
      if (txn.state === 'PrepareCommit' || txn.state === 'PrepareAbort') return fail(ErrorCodes.CONCURRENT_TRANSACTIONS);
      if (txn.state === 'Ongoing') this.abortWithBumpedEpoch(txn);
      else txn.producerEpoch += 1;
      if (txn.producerEpoch >= MAX_PRODUCER_EPOCH) {
        txn.producerId = this.allocateProducerId();
        txn.producerEpoch = 0;
      }
      txn.state = 'Empty';
      txn.timeoutMs = req.transactionTimeoutMs;
    }
    this.listeners.emit();
    return { throttleTimeMs: 0, errorCode: ErrorCodes.NONE, producerId: txn.producerId, producerEpoch: txn.producerEpoch };
  }

  /**
   * AddPartitionsToTxn v0-5 (v4+ broker batching with verifyOnly). Unknown partitions answer 3 and
   * the request's other partitions 55 OPERATION_NOT_ATTEMPTED, as Kafka does.
   */
  addPartitionsToTxn(req: AddPartitionsToTxnRequest, apiVersion: number): AddPartitionsToTxnResponse {
    if (apiVersion < 4) {
      const results = this.addPartitions(
        req.v3AndBelowTransactionalId ?? '',
        req.v3AndBelowProducerId ?? -1,
        req.v3AndBelowProducerEpoch ?? -1,
        req.v3AndBelowTopics ?? [],
        apiVersion,
        false,
      );
      return { throttleTimeMs: 0, resultsByTopicV3AndBelow: results };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCodes.NONE,
      resultsByTransaction: (req.transactions ?? []).map((t) => ({
        transactionalId: t.transactionalId,
        topicResults: this.addPartitions(t.transactionalId, t.producerId, t.producerEpoch, t.topics, apiVersion, t.verifyOnly === true),
      })),
    };
  }

  /** AddOffsetsToTxn v0-4: the transaction will commit offsets of `groupId` (via TxnOffsetCommit). */
  addOffsetsToTxn(req: AddOffsetsToTxnRequest, apiVersion: number): AddOffsetsToTxnResponse {
    let errorCode = this.validate(req.transactionalId, req.producerId, req.producerEpoch, fencedError(apiVersion, 2));
    if (errorCode === ErrorCodes.NONE && req.groupId === '') errorCode = ErrorCodes.INVALID_GROUP_ID;
    if (errorCode === ErrorCodes.NONE) {
      const txn = this.txns.get(req.transactionalId)!;
      this.beginIfNotOngoing(txn);
      txn.groups.add(req.groupId);
      this.listeners.emit();
    }
    return { throttleTimeMs: 0, errorCode };
  }

  /**
   * EndTxn v0-5: write commit/abort markers to every partition of the transaction, then apply or
   * drop the staged offsets of its groups. Ending an already completed transaction the same way
   * with the same epoch succeeds again (a retry, or a recommit after a restart); an open
   * transaction restored from a snapshot is committed with its stored producer id and epoch.
   */
  endTxn(req: EndTxnRequest, apiVersion: number): EndTxnResponse {
    const errorCode = this.endTxnError(req, apiVersion);
    const txn = this.txns.get(req.transactionalId);
    const answer: EndTxnResponse = { throttleTimeMs: 0, errorCode };
    if (apiVersion >= 5) {
      answer.producerId = txn?.producerId ?? -1;
      answer.producerEpoch = txn?.producerEpoch ?? -1;
    }
    return answer;
  }

  /**
   * Whether a TxnOffsetCommit may stage offsets: 0, or 49 (unknown id / producer id), 47 (stale
   * epoch), 48 (no open transaction, or the group was not added with AddOffsetsToTxn).
   */
  txnOffsetCommitAllowed(transactionalId: string, producerId: number, producerEpoch: number, groupId: string): number {
    const errorCode = this.validate(transactionalId, producerId, producerEpoch, ErrorCodes.INVALID_PRODUCER_EPOCH);
    if (errorCode !== ErrorCodes.NONE) return errorCode;
    const txn = this.txns.get(transactionalId)!;
    return txn.state === 'Ongoing' && txn.groups.has(groupId) ? ErrorCodes.NONE : ErrorCodes.INVALID_TXN_STATE;
  }

  /** State, producer and current partitions of a transactional id (undefined if unknown). */
  describe(transactionalId: string): TxnDescription | undefined {
    const txn = this.txns.get(transactionalId);
    if (txn === undefined) return undefined;
    return {
      state: txn.state,
      producerId: txn.producerId,
      producerEpoch: txn.producerEpoch,
      partitions: [...txn.partitions.values()].map((p) => ({ ...p })),
    };
  }

  /** Abort every open transaction older than its timeout (runs on the interval timer). */
  abortTimedOut(): void {
    const now = this.now();
    for (const txn of this.txns.values()) {
      if (txn.state === 'Ongoing' && now - txn.startedMs > txn.timeoutMs) this.abortWithBumpedEpoch(txn);
    }
  }

  snapshot(): TxnSnapshot {
    return { version: 1, nextProducerId: this.nextProducerId, transactions: [...this.txns.values()].map(toRow) };
  }

  restore(state: TxnSnapshot): void {
    this.txns.clear();
    for (const row of state.transactions) this.txns.set(row.transactionalId, fromRow(row));
    this.nextProducerId = state.nextProducerId;
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.abortTimer);
  }

  private endTxnError(req: EndTxnRequest, apiVersion: number): number {
    const txn = this.txns.get(req.transactionalId);
    if (this.closed) return ErrorCodes.NOT_COORDINATOR;
    if (txn === undefined || txn.producerId !== req.producerId) return ErrorCodes.INVALID_PRODUCER_ID_MAPPING;
    if (req.producerEpoch !== txn.producerEpoch) return fencedError(apiVersion, 2);
    switch (txn.state) {
      case 'Ongoing':
        this.finish(txn, req.committed, txn.producerEpoch);
        return ErrorCodes.NONE;
      case 'CompleteCommit':
        return req.committed ? ErrorCodes.NONE : ErrorCodes.INVALID_TXN_STATE;
      case 'CompleteAbort':
        return req.committed ? ErrorCodes.INVALID_TXN_STATE : ErrorCodes.NONE;
      case 'PrepareCommit':
      case 'PrepareAbort':
        return ErrorCodes.CONCURRENT_TRANSACTIONS;
      case 'Empty':
        return ErrorCodes.INVALID_TXN_STATE;
    }
  }

  private addPartitions(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    topics: readonly AddPartitionsToTxnTopic[],
    apiVersion: number,
    verifyOnly: boolean,
  ): AddPartitionsToTxnTopicResult[] {
    const answerAll = (codeOf: (topic: string, partition: number) => number): AddPartitionsToTxnTopicResult[] =>
      topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: codeOf(t.name, p) })) }));
    const exists = (topic: string, partition: number): boolean => this.access.partitionExists(topic, partition);
    if (topics.some((t) => t.partitions.some((p) => !exists(t.name, p)))) {
      return answerAll((topic, p) => (exists(topic, p) ? ErrorCodes.OPERATION_NOT_ATTEMPTED : ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION));
    }
    const errorCode = this.validate(transactionalId, producerId, producerEpoch, fencedError(apiVersion, 2));
    if (errorCode !== ErrorCodes.NONE) return answerAll(() => errorCode);
    const txn = this.txns.get(transactionalId)!;
    if (verifyOnly) {
      const inTxn = (topic: string, p: number): boolean => txn.state === 'Ongoing' && txn.partitions.has(partitionKey(topic, p));
      return answerAll((topic, p) => (inTxn(topic, p) ? ErrorCodes.NONE : ErrorCodes.INVALID_TXN_STATE));
    }
    this.beginIfNotOngoing(txn);
    for (const t of topics) for (const p of t.partitions) txn.partitions.set(partitionKey(t.name, p), { topic: t.name, partition: p });
    this.listeners.emit();
    return answerAll(() => ErrorCodes.NONE);
  }

  /** Common checks: 49 unknown id or producer id, `fenced` for another epoch, 51 while markers are written. */
  private validate(transactionalId: string, producerId: number, producerEpoch: number, fenced: number): number {
    if (this.closed) return ErrorCodes.NOT_COORDINATOR;
    const txn = this.txns.get(transactionalId);
    if (txn === undefined || txn.producerId !== producerId) return ErrorCodes.INVALID_PRODUCER_ID_MAPPING;
    if (producerEpoch !== txn.producerEpoch) return fenced;
    if (txn.state === 'PrepareCommit' || txn.state === 'PrepareAbort') return ErrorCodes.CONCURRENT_TRANSACTIONS;
    return ErrorCodes.NONE;
  }

  private beginIfNotOngoing(txn: TxnMetadata): void {
    if (txn.state === 'Ongoing') return;
    txn.state = 'Ongoing';
    txn.startedMs = this.now();
    txn.partitions.clear();
    txn.groups.clear();
  }

  /** Abort the open transaction with epoch + 1, fencing the producer that opened it. */
  private abortWithBumpedEpoch(txn: TxnMetadata): void {
    const epoch = Math.min(txn.producerEpoch + 1, MAX_PRODUCER_EPOCH);
    txn.producerEpoch = epoch;
    this.finish(txn, false, epoch);
  }

  /** Write the markers, settle the groups' staged offsets and complete the transaction. */
  private finish(txn: TxnMetadata, commit: boolean, markerEpoch: number): void {
    txn.state = commit ? 'PrepareCommit' : 'PrepareAbort';
    const now = this.now();
    for (const { topic, partition } of txn.partitions.values()) {
      // A partition deleted meanwhile has no log left to mark.
      if (this.access.partitionExists(topic, partition)) this.access.writeTxnMarker(topic, partition, txn.producerId, markerEpoch, commit, now);
    }
    for (const groupId of txn.groups) this.access.completeTxnOffsets(groupId, txn.producerId, commit);
    txn.state = commit ? 'CompleteCommit' : 'CompleteAbort';
    txn.partitions.clear();
    txn.groups.clear();
    this.listeners.emit();
  }

  private allocateProducerId(): number {
    return this.nextProducerId++;
  }
}
