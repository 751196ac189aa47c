import { ErrorCodes } from '../../protocol/index.js';
import type { ApiHandler, RequestContext } from '../context.js';

interface DeleteRecordsRequest {
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; offset: number }> }>;
  timeoutMs: number;
}

/** DeleteRecords v0-1: moves log start offsets (-1 = up to the high watermark). */
export const deleteRecords: ApiHandler = {
  apiKey: 21,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req: DeleteRecordsRequest) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => truncate(ctx, t.name, p.partitionIndex, p.offset)) })),
    };
  },
  errorBody: (req: DeleteRecordsRequest, errorCode) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode })) })),
  }),
};

function truncate(ctx: RequestContext, topic: string, index: number, offset: number): any {
  const partition = ctx.cluster.partition(topic, index);
  if (!partition) return { partitionIndex: index, lowWatermark: -1, errorCode: ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION };
  if (partition.leader !== ctx.broker.id) return { partitionIndex: index, lowWatermark: -1, errorCode: ErrorCodes.NOT_LEADER_OR_FOLLOWER };
  const target = offset === -1 ? partition.log.highWatermark() : offset;
  const errorCode = partition.log.deleteRecordsBefore(target);
  return { partitionIndex: index, lowWatermark: partition.log.logStartOffset(), errorCode };
}
