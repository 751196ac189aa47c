import { ErrorCodes } from '../../protocol/index.js';
import { reportedReplicas } from '../../cluster/replicas.js';
import type { ApiHandler } from '../context.js';

interface AlterRequest {
  timeoutMs: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; replicas: number[] | null }> }>;
}

/**
 * AlterPartitionReassignments v0: new replica lists per partition (null cancels), validated like
 * Kafka. Only the controller answers; others say NOT_CONTROLLER, which admin clients retry.
 */
export const alterPartitionReassignments: ApiHandler = {
  apiKey: 45,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, req: AlterRequest) {
    if (ctx.cluster.controllerId() !== ctx.broker.id) return alterError(req, ErrorCodes.NOT_CONTROLLER);
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      responses: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, ...ctx.cluster.reassignPartition(t.name, p.partitionIndex, p.replicas) })),
      })),
    };
  },
  errorBody: (req: AlterRequest, errorCode) => alterError(req, errorCode),
};

function alterError(req: AlterRequest, errorCode: number): any {
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage: null,
    responses: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode, errorMessage: null })) })),
  };
}

/** ListPartitionReassignments v0: ongoing reassignments (all, or of the named partitions). */
export const listPartitionReassignments: ApiHandler = {
  apiKey: 46,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, req: { timeoutMs: number; topics: Array<{ name: string; partitionIndexes: number[] }> | null }) {
    const { cluster } = ctx;
    if (cluster.controllerId() !== ctx.broker.id) return { throttleTimeMs: 0, errorCode: ErrorCodes.NOT_CONTROLLER, errorMessage: null, topics: [] };
    const wanted = req.topics ?? [...cluster.topics.values()].map((t) => ({ name: t.name, partitionIndexes: t.partitions.map((p) => p.index) }));
    const topics = wanted
      .map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.flatMap((i) => {
          const p = cluster.partition(t.name, i);
          if (!p?.reassignTo) return [];
          const target = p.reassignTo;
          return [{ partitionIndex: i, replicas: reportedReplicas(p), addingReplicas: target.filter((id) => !p.replicas.includes(id)), removingReplicas: p.replicas.filter((id) => !target.includes(id)) }];
        }),
      }))
      .filter((t) => t.partitions.length > 0);
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, topics };
  },
  errorBody: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, errorMessage: null, topics: [] }),
};
