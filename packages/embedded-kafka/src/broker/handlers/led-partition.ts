import type { PartitionState } from '../../cluster/topic.js';
import { ErrorCodes } from '../../protocol/index.js';
import type { RequestContext } from '../context.js';

/**
 * The partition when this broker leads it, else the error code partition-level APIs answer with
 * (UNKNOWN_TOPIC_OR_PARTITION or NOT_LEADER_OR_FOLLOWER).
 */
export function ledPartition(ctx: RequestContext, topic: string, index: number): PartitionState | number {
  const partition = ctx.cluster.partition(topic, index);
  if (!partition) return ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION;
  return partition.leader === ctx.broker.id ? partition : ErrorCodes.NOT_LEADER_OR_FOLLOWER;
}
