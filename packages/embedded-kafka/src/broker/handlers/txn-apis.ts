import { ErrorCodes } from '../../protocol/index.js';
import type { ApiHandler } from '../context.js';
import { commitAllowedTopics } from '../authorize.js';
import { coordinatedApi, isCoordinator } from './coordinated.js';
import { offsetCommitError } from './error-bodies.js';

const topLevel = (errorCode: number): any => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 });
const simpleError = (_req: unknown, errorCode: number): any => ({ throttleTimeMs: 0, errorCode });

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
export const addPartitionsToTxn = coordinatedApi({ apiKey: 24, maxVersion: 3, key: 'v3AndBelowTransactionalId', error: addPartitionsError }, (ctx, req) =>
  ctx.cluster.txns.addPartitionsToTxn(req, ctx.apiVersion),
);

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
export const addOffsetsToTxn = coordinatedApi({ apiKey: 25, maxVersion: 3, key: 'transactionalId', error: simpleError }, (ctx, req) =>
  ctx.cluster.txns.addOffsetsToTxn(req, ctx.apiVersion),
);

/** EndTxn v0-3: writes the markers and settles staged group offsets. */
export const endTxn = coordinatedApi({ apiKey: 26, maxVersion: 3, key: 'transactionalId', error: simpleError }, (ctx, req) =>
  ctx.cluster.txns.endTxn(req, ctx.apiVersion),
);

/** TxnOffsetCommit v0-3: sent to the group coordinator, checked against the transaction first. */
export const txnOffsetCommit = coordinatedApi({ apiKey: 28, maxVersion: 3, key: 'groupId', error: offsetCommitError }, (ctx, req) => {
  const allowed = ctx.cluster.txns.txnOffsetCommitAllowed(req.transactionalId, req.producerId, req.producerEpoch, req.groupId);
  if (allowed !== 0) return offsetCommitError(req, allowed);
  return commitAllowedTopics(ctx, req, (allowedReq) => ctx.cluster.groups.txnOffsetCommit(allowedReq, ctx.apiVersion, req.producerId));
});
