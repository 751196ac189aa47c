import type { ApiHandler, RequestContext } from '../context.js';
import { AclOperation } from '../../security/acls.js';
import { ledPartition } from './led-partition.js';

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
  const partition = ledPartition(ctx, topic, index, AclOperation.DELETE);
  if (typeof partition === 'number') return { partitionIndex: index, lowWatermark: -1, errorCode: partition };
  const errorCode = partition.log.deleteRecordsBefore(offset); // -1 (up to the high watermark) is the log's to resolve
  return { partitionIndex: index, lowWatermark: partition.log.logStartOffset(), errorCode };
}
