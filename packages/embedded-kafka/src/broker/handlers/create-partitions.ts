import { ErrorCodes } from '../../protocol/index.js';
import { AclOperation } from '../../security/acls.js';
import { topicAllowed } from '../authorize.js';
import type { ApiHandler } from '../context.js';

interface CreatePartitionsRequest {
  topics: Array<{ name: string; count: number; assignments: Array<{ brokerIds: number[] }> | null }>;
  timeoutMs: number;
  validateOnly: boolean;
}

/** CreatePartitions v0-1: grows topics on the given replicas (validated) or the topic's replication factor. */
export const createPartitions: ApiHandler = {
  apiKey: 37,
  minVersion: 0,
  maxVersion: 1,
  async handle(ctx, req: CreatePartitionsRequest) {
    const results = [];
    for (const t of req.topics) {
      // Kafka: ALTER on the topic (KafkaApis.handleCreatePartitionsRequest).
      const r = topicAllowed(ctx, AclOperation.ALTER, t.name)
        ? await ctx.cluster.createPartitions(t.name, t.count, req.validateOnly, t.assignments?.map((a) => a.brokerIds) ?? null)
        : { errorCode: ErrorCodes.TOPIC_AUTHORIZATION_FAILED, errorMessage: null };
      results.push({ name: t.name, errorCode: r.errorCode, errorMessage: r.errorMessage });
    }
    return { throttleTimeMs: 0, results };
  },
  errorBody: (req: CreatePartitionsRequest, errorCode) => ({ throttleTimeMs: 0, results: req.topics.map((t) => ({ name: t.name, errorCode, errorMessage: 'injected fault' })) }),
};
