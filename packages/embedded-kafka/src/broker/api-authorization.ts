/**
 * Request-level authorization, checked before a handler runs when an authorizer is enabled: the
 * group, transactional id or cluster a request acts on. A refusal is answered with the handler's
 * error body carrying the code everywhere, as Kafka fails the whole request in these cases
 * (KafkaApis.handle*Request). Per-topic checks live in the handlers that mix allowed and denied topics.
 */
import { ErrorCodes } from '../protocol/index.js';
import { AclOperation as Op, ResourceType } from '../security/acls.js';
import { allowed, clusterAllowed, topicAllowed } from './authorize.js';
import type { RequestContext } from './context.js';

/** 0 = go on; a code = answer errorBody(req, code); an object = answer this body. */
type Rule = (ctx: RequestContext, req: any) => number | { body: any };

const group = (op: number) => (ctx: RequestContext, req: { groupId: string }): number =>
  allowed(ctx, op, ResourceType.GROUP, req.groupId) ? 0 : ErrorCodes.GROUP_AUTHORIZATION_FAILED;

const txnWrite = (ctx: RequestContext, id: string): number =>
  allowed(ctx, Op.WRITE, ResourceType.TRANSACTIONAL_ID, id) ? 0 : ErrorCodes.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;

const cluster = (op: number): Rule => (ctx) => (clusterAllowed(ctx, op) ? 0 : ErrorCodes.CLUSTER_AUTHORIZATION_FAILED);

const RULES: Record<number, Rule> = {
  0: (ctx, req: { transactionalId?: string | null }) => (req.transactionalId ? txnWrite(ctx, req.transactionalId) : 0),
  8: group(Op.READ),
  9: group(Op.DESCRIBE),
  10: (ctx, req: { key?: string; keyType?: number; coordinatorKeys?: string[] }) => {
    const keys = req.coordinatorKeys ?? [req.key ?? ''];
    const txn = req.keyType === 1;
    const type = txn ? ResourceType.TRANSACTIONAL_ID : ResourceType.GROUP;
    if (keys.every((k) => allowed(ctx, Op.DESCRIBE, type, k))) return 0;
    return txn ? ErrorCodes.TRANSACTIONAL_ID_AUTHORIZATION_FAILED : ErrorCodes.GROUP_AUTHORIZATION_FAILED;
  },
  11: group(Op.READ),
  12: group(Op.READ),
  13: group(Op.READ),
  14: group(Op.READ),
  // Idempotent producers need IDEMPOTENT_WRITE on the cluster or WRITE on some topic (Kafka 2.8+).
  22: (ctx, req: { transactionalId: string | null }) => {
    if (req.transactionalId !== null) return txnWrite(ctx, req.transactionalId);
    const anyTopic = [...ctx.cluster.topics.keys()].some((t) => topicAllowed(ctx, Op.WRITE, t));
    return clusterAllowed(ctx, Op.IDEMPOTENT_WRITE) || anyTopic ? 0 : ErrorCodes.CLUSTER_AUTHORIZATION_FAILED;
  },
  24: addPartitionsToTxn,
  25: (ctx, req: { transactionalId: string; groupId: string }) => txnWrite(ctx, req.transactionalId) || group(Op.READ)(ctx, req),
  26: (ctx, req: { transactionalId: string }) => txnWrite(ctx, req.transactionalId),
  28: (ctx, req: { transactionalId: string; groupId: string }) => txnWrite(ctx, req.transactionalId) || group(Op.READ)(ctx, req),
  29: cluster(Op.DESCRIBE),
  30: cluster(Op.ALTER),
  31: cluster(Op.ALTER),
  45: cluster(Op.ALTER),
  46: cluster(Op.DESCRIBE),
};

/**
 * AddPartitionsToTxn: a topic without WRITE gets TOPIC_AUTHORIZATION_FAILED and every other
 * partition OPERATION_NOT_ATTEMPTED, nothing is added (KafkaApis.handleAddPartitionToTxnRequest).
 */
function addPartitionsToTxn(ctx: RequestContext, req: { v3AndBelowTransactionalId: string; v3AndBelowTopics: Array<{ name: string; partitions: number[] }> }): number | { body: any } {
  const txn = txnWrite(ctx, req.v3AndBelowTransactionalId);
  if (txn !== 0) return txn;
  const denied = new Set(req.v3AndBelowTopics.filter((t) => !topicAllowed(ctx, Op.WRITE, t.name)).map((t) => t.name));
  if (denied.size === 0) return 0;
  return {
    body: {
      throttleTimeMs: 0,
      resultsByTopicV3AndBelow: req.v3AndBelowTopics.map((t) => ({
        name: t.name,
        resultsByPartition: t.partitions.map((partitionIndex) => ({
          partitionIndex,
          partitionErrorCode: denied.has(t.name) ? ErrorCodes.TOPIC_AUTHORIZATION_FAILED : ErrorCodes.OPERATION_NOT_ATTEMPTED,
        })),
      })),
    },
  };
}

/** The request-level verdict; always 0 without an authorizer. */
export function authorizeRequest(ctx: RequestContext, req: unknown): number | { body: any } {
  if (!ctx.cluster.authorizer) return 0;
  return RULES[ctx.apiKey]?.(ctx, req) ?? 0;
}
