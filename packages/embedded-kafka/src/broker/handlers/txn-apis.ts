import { ErrorCodes } from '../../protocol/index.js';
import type { ApiHandler } from '../context.js';
import { isCoordinator } from './coordinated.js';

const topLevel = (errorCode: number): any => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 });

/** InitProducerId v0-4: idempotent producers (no transactional id) may ask any broker. */
export const initProducerId: ApiHandler = {
  apiKey: 22,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, req: { transactionalId: string | null }) {
    if (req.transactionalId !== null && !isCoordinator(ctx, req.transactionalId)) return topLevel(ErrorCodes.NOT_COORDINATOR);
    return ctx.cluster.txns.initProducerId(req as never, ctx.apiVersion);
  },
  errorBody: (_req, errorCode) => topLevel(errorCode),
};

/** AddPartitionsToTxn v0-3 (the client form; v4+ is broker-to-broker). */
export const addPartitionsToTxn: ApiHandler = {
  apiKey: 24,
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, req) {
    if (!isCoordinator(ctx, req.v3AndBelowTransactionalId)) return addPartitionsError(req, ErrorCodes.NOT_COORDINATOR);
    return ctx.cluster.txns.addPartitionsToTxn(req, ctx.apiVersion);
  },
  errorBody: (req, errorCode) => addPartitionsError(req, errorCode),
};

function addPartitionsError(req: any, errorCode: number): any {
  return {
    throttleTimeMs: 0,
    resultsByTopicV3AndBelow: (req.v3AndBelowTopics ?? []).map((t: { name: string; partitions: number[] }) => ({
      name: t.name,
      resultsByPartition: t.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: errorCode })),
    })),
  };
}

/** AddOffsetsToTxn v0-3. */
export const addOffsetsToTxn: ApiHandler = {
  apiKey: 25,
  minVersion: 0,
  maxVersion: 3,
  handle: (ctx, req) => (isCoordinator(ctx, req.transactionalId) ? ctx.cluster.txns.addOffsetsToTxn(req, ctx.apiVersion) : { throttleTimeMs: 0, errorCode: ErrorCodes.NOT_COORDINATOR }),
  errorBody: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode }),
};

/** EndTxn v0-3: writes the markers and settles staged group offsets. */
export const endTxn: ApiHandler = {
  apiKey: 26,
  minVersion: 0,
  maxVersion: 3,
  handle: (ctx, req) => (isCoordinator(ctx, req.transactionalId) ? ctx.cluster.txns.endTxn(req, ctx.apiVersion) : { throttleTimeMs: 0, errorCode: ErrorCodes.NOT_COORDINATOR }),
  errorBody: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode }),
};

/** TxnOffsetCommit v0-3: sent to the group coordinator, checked against the transaction first. */
export const txnOffsetCommit: ApiHandler = {
  apiKey: 28,
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, req) {
    if (!isCoordinator(ctx, req.groupId)) return txnCommitError(req, ErrorCodes.NOT_COORDINATOR);
    const allowed = ctx.cluster.txns.txnOffsetCommitAllowed(req.transactionalId, req.producerId, req.producerEpoch, req.groupId);
    if (allowed !== 0) return txnCommitError(req, allowed);
    return ctx.cluster.groups.txnOffsetCommit(req, ctx.apiVersion, req.producerId);
  },
  errorBody: (req, errorCode) => txnCommitError(req, errorCode),
};

function txnCommitError(req: any, errorCode: number): any {
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t: any) => ({ name: t.name, partitions: t.partitions.map((p: any) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
  };
}
