import { ErrorCodes } from '../../protocol/index.js';
import { mayCreateTopic } from '../authorize.js';
import type { ApiHandler } from '../context.js';

interface CreateTopicsRequest {
  topics: Array<{ name: string; numPartitions: number; replicationFactor: number; assignments: Array<{ partitionIndex: number; brokerIds: number[] }>; configs: Array<{ name: string; value: string | null }> }>;
  timeoutMs: number;
  validateOnly?: boolean;
}

/** CreateTopics v0-4: -1 partitions/replication mean the defaults; validateOnly checks only. */
export const createTopics: ApiHandler = {
  apiKey: 19,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, req: CreateTopicsRequest) {
    const { cluster } = ctx;
    const topics = [];
    for (const t of req.topics) {
      const configs = Object.fromEntries(t.configs.map((c) => [c.name, c.value]));
      const partitions = t.assignments.length > 0 ? t.assignments.length : t.numPartitions === -1 ? cluster.config.defaultPartitions : t.numPartitions;
      let result;
      if (!mayCreateTopic(ctx, t.name)) {
        result = { errorCode: ErrorCodes.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Authorization failed.' };
      } else if (t.replicationFactor !== -1 && (t.replicationFactor < 1 || t.replicationFactor > cluster.brokers.length)) {
        result = { errorCode: ErrorCodes.INVALID_REPLICATION_FACTOR, errorMessage: `Replication factor must be between 1 and ${cluster.brokers.length}` };
      } else if (t.assignments.length > 0 && t.numPartitions !== -1) {
        result = { errorCode: ErrorCodes.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'Both numPartitions and assignments were set' };
      } else if (req.validateOnly) {
        result = cluster.validateNewTopic(t.name, partitions, configs);
      } else {
        result = await cluster.createTopic(t.name, partitions, configs);
      }
      topics.push({ name: t.name, errorCode: result.errorCode, errorMessage: result.errorMessage });
    }
    return { throttleTimeMs: 0, topics };
  },
  errorBody: (req: CreateTopicsRequest, errorCode) => ({ throttleTimeMs: 0, topics: req.topics.map((t) => ({ name: t.name, errorCode, errorMessage: 'injected fault' })) }),
};
