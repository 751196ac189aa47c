import type { ApiHandler, RequestContext } from '../context.js';
import { AclOperation } from '../../security/acls.js';
import { ledPartition } from './led-partition.js';

const LATEST = -1;

interface ListOffsetsRequest {
  isolationLevel?: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; timestamp: number; maxNumOffsets?: number }> }>;
}

/** ListOffsets v0-5: -1 latest (LSO for read_committed), -2 earliest, else first offset at/after a timestamp. */
export const listOffsets: ApiHandler = {
  apiKey: 2,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, req: ListOffsetsRequest) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => lookup(ctx, req, t.name, p.partitionIndex, p.timestamp)) })),
    };
  },
  errorBody: (req: ListOffsetsRequest, errorCode) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode, oldStyleOffsets: [], timestamp: -1, offset: -1, leaderEpoch: -1 })) })),
  }),
};

function lookup(ctx: RequestContext, req: ListOffsetsRequest, topic: string, index: number, timestamp: number): any {
  const partition = ledPartition(ctx, topic, index, AclOperation.DESCRIBE);
  if (typeof partition === 'number') return { partitionIndex: index, errorCode: partition, oldStyleOffsets: [], timestamp: -1, offset: -1, leaderEpoch: -1 };
  const log = partition.log;
  // The log answers -1 (high watermark) and -2 (log start) itself; only read_committed's latest differs.
  const found =
    timestamp === LATEST && ctx.apiVersion >= 2 && req.isolationLevel === 1 ? { offset: log.lastStableOffset(), timestamp: -1 } : log.offsetForTimestamp(timestamp);
  const offset = found ? found.offset : -1;
  return { partitionIndex: index, errorCode: 0, oldStyleOffsets: offset >= 0 ? [offset] : [], timestamp: found ? found.timestamp : -1, offset, leaderEpoch: partition.leaderEpoch };
}
