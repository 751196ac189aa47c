import type { PartitionState } from '../../cluster/topic.js';
import { ErrorCodes } from '../../protocol/index.js';
import { topicAllowed } from '../authorize.js';
import type { RequestContext } from '../context.js';

/**
 * The partition when this broker leads it and the principal may do `operation` on the topic, else
 * the error code partition-level APIs answer with (TOPIC_AUTHORIZATION_FAILED first, even for a
 * topic that does not exist, as Kafka does not reveal topics; then UNKNOWN_TOPIC_OR_PARTITION or
 * NOT_LEADER_OR_FOLLOWER).
 */
export function ledPartition(ctx: RequestContext, topic: string, index: number, operation: number): PartitionState | number {
  if (!topicAllowed(ctx, operation, topic)) return ErrorCodes.TOPIC_AUTHORIZATION_FAILED;
  const partition = ctx.cluster.partition(topic, index);
  if (!partition) return ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION;
  return partition.leader === ctx.broker.id ? partition : ErrorCodes.NOT_LEADER_OR_FOLLOWER;
}
