import { ErrorCodes } from '../../protocol/index.js';
import type { ReplicaOptions } from '../../cluster/cluster.js';
import { mayCreateTopic } from '../authorize.js';
import type { ApiHandler, RequestContext } from '../context.js';
import { topicConfigsOf } from './describe-configs.js';

interface CreateTopicsRequest {
  topics: Array<{ name: string; numPartitions: number; replicationFactor: number; assignments: Array<{ partitionIndex: number; brokerIds: number[] }>; configs: Array<{ name: string; value: string | null }> }>;
  timeoutMs: number;
  validateOnly?: boolean;
}

/**
 * CreateTopics v0-7: -1 partitions/replication mean the defaults; validateOnly checks only.
 * v5+ answers with the topic's partition count, replication factor and configs (what it would
 * get for validateOnly), v7 with its topic id; a failed topic gets -1, -1 and no configs.
 */
export const createTopics: ApiHandler = {
  apiKey: 19,
  minVersion: 0,
  maxVersion: 7,
  async handle(ctx, req: CreateTopicsRequest) {
    const { cluster } = ctx;
    const topics = [];
    for (const t of req.topics) {
      const configs = Object.fromEntries(t.configs.map((c) => [c.name, c.value]));
      const partitions = t.assignments.length > 0 ? t.assignments.length : t.numPartitions === -1 ? cluster.config.defaultPartitions : t.numPartitions;
      const assignments = t.assignments.length > 0 ? ordered(t.assignments) : undefined;
      const replicas: ReplicaOptions = assignments ? { assignments } : { replicationFactor: t.replicationFactor };
      let result;
      if (!mayCreateTopic(ctx, t.name)) {
        result = { errorCode: ErrorCodes.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Authorization failed.' };
      } else if (t.assignments.length > 0 && (t.numPartitions !== -1 || t.replicationFactor !== -1)) {
        // Kafka (ReplicationControlManager.createTopic): InvalidRequestException.
        result = { errorCode: ErrorCodes.INVALID_REQUEST, errorMessage: 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.' };
      } else if (assignments === null) {
        result = { errorCode: ErrorCodes.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'partitions should be a consecutive 0-based integer sequence' };
      } else if (req.validateOnly) {
        result = cluster.validateNewTopic(t.name, partitions, configs, replicas);
      } else {
        result = await cluster.createTopic(t.name, partitions, configs, replicas);
      }
      const described = result.errorCode === 0 && ctx.apiVersion >= 5 ? describeNew(ctx, t.name, req.validateOnly === true, partitions, replicas, configs) : FAILED;
      topics.push({ name: t.name, errorCode: result.errorCode, errorMessage: result.errorMessage, ...described });
    }
    return { throttleTimeMs: 0, topics };
  },
  errorBody: (req: CreateTopicsRequest, errorCode) => ({ throttleTimeMs: 0, topics: req.topics.map((t) => ({ name: t.name, errorCode, errorMessage: 'injected fault' })) }),
};

const FAILED = { numPartitions: -1, replicationFactor: -1, configs: [] };

/** The v5+ description of a topic just created (or, for validateOnly, of the topic that would be). */
function describeNew(ctx: RequestContext, name: string, validateOnly: boolean, partitions: number, replicas: ReplicaOptions, configs: Record<string, string | null>) {
  const topic = validateOnly ? undefined : ctx.cluster.topics.get(name);
  if (topic !== undefined) {
    return {
      topicId: Buffer.from(topic.id.replace(/-/g, ''), 'hex'),
      numPartitions: topic.partitions.length,
      replicationFactor: topic.partitions[0]?.replicas.length ?? -1,
      configs: topicConfigsOf(ctx, topic.configs),
    };
  }
  const own = new Map<string, string>();
  for (const [k, v] of Object.entries(configs)) if (v !== null) own.set(k, v);
  const rf = replicas.assignments?.[0]?.length ?? (replicas.replicationFactor === undefined || replicas.replicationFactor === -1 ? ctx.cluster.brokers.length : replicas.replicationFactor);
  return { numPartitions: partitions, replicationFactor: rf, configs: topicConfigsOf(ctx, own) };
}

/** Replica lists in partition order, or null unless the indexes are exactly 0..n-1. */
function ordered(assignments: Array<{ partitionIndex: number; brokerIds: number[] }>): number[][] | null {
  const byIndex = [...assignments].sort((a, b) => a.partitionIndex - b.partitionIndex);
  return byIndex.every((a, i) => a.partitionIndex === i) ? byIndex.map((a) => a.brokerIds) : null;
}
