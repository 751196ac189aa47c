import { ErrorCodes } from '../../protocol/index.js';
import type { Cluster } from '../../cluster/cluster.js';
import { reportedReplicas } from '../../cluster/replicas.js';
import { isValidTopicName, type TopicState } from '../../cluster/topic.js';
import { AclOperation } from '../../security/acls.js';
import { mayCreateTopic, topicAllowed } from '../authorize.js';
import type { ApiHandler, RequestContext } from '../context.js';

interface MetadataRequest {
  topics: Array<{ name: string | null }> | null;
  allowAutoTopicCreation?: boolean;
}

/**
 * Metadata v0-12 (v9+ is what @platformatic/kafka speaks; the kcat/librdkafka 2.0.2 conformance
 * tests still pass). Null or empty topic list = all topics; live brokers only.
 */
export const metadata: ApiHandler = {
  apiKey: 3,
  minVersion: 0,
  maxVersion: 12,
  async handle(ctx, req: MetadataRequest) {
    const { cluster } = ctx;
    const requested = req.topics && req.topics.length > 0 ? req.topics.map((t) => t.name ?? '') : null;
    const autoCreate = cluster.config.autoCreateTopics && (ctx.apiVersion < 4 || req.allowAutoTopicCreation !== false);
    if (requested && autoCreate) {
      for (const name of requested) if (!cluster.topics.has(name) && isValidTopicName(name) && mayCreateTopic(ctx, name)) await cluster.createTopic(name);
    }
    // All-topics requests list only what the principal may describe; named ones get TOPIC_AUTHORIZATION_FAILED.
    const names = requested ?? [...cluster.topics.keys()].filter((t) => topicAllowed(ctx, AclOperation.DESCRIBE, t));
    return {
      throttleTimeMs: 0,
      brokers: liveEndpoints(ctx),
      clusterId: cluster.clusterId,
      controllerId: cluster.controllerId(),
      topics: names.map((name) =>
        topicAllowed(ctx, AclOperation.DESCRIBE, name) ? topicMetadata(cluster, name) : { errorCode: ErrorCodes.TOPIC_AUTHORIZATION_FAILED, name, isInternal: false, partitions: [] },
      ),
    };
  },
  errorBody: (req: MetadataRequest, errorCode) => ({
    throttleTimeMs: 0,
    brokers: [],
    clusterId: null,
    controllerId: -1,
    topics: (req.topics ?? []).map((t) => ({ errorCode, name: t.name, isInternal: false, partitions: [] })),
  }),
};

function topicMetadata(cluster: Cluster, name: string): any {
  const topic = cluster.topics.get(name);
  if (!topic) {
    const errorCode = isValidTopicName(name) ? ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION : ErrorCodes.INVALID_TOPIC_EXCEPTION;
    return { errorCode, name, isInternal: false, partitions: [] };
  }
  return { errorCode: 0, name, isInternal: false, partitions: partitionsMetadata(cluster, topic) };
}

function partitionsMetadata(cluster: Cluster, topic: TopicState): any[] {
  const live = new Set(cluster.liveBrokerIds());
  return topic.partitions.map((p) => {
    const replicas = reportedReplicas(p);
    return {
      // An offline partition (no live replica) has no leader: LEADER_NOT_AVAILABLE, as in Kafka.
      errorCode: p.leader < 0 ? ErrorCodes.LEADER_NOT_AVAILABLE : 0,
      partitionIndex: p.index,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: replicas,
      isrNodes: replicas.filter((id) => live.has(id)),
      offlineReplicas: replicas.filter((id) => !live.has(id)),
    };
  });
}

/** Live brokers at their endpoint for the listener the request came in on (Kafka omits brokers without it). */
function liveEndpoints(ctx: RequestContext): Array<{ nodeId: number; host: string; port: number; rack: null }> {
  const out = [];
  for (const b of ctx.cluster.brokers) {
    const l = b.alive ? b.listener(ctx.connection.listener.name) : undefined;
    if (l) out.push({ nodeId: b.id, host: l.host, port: l.port, rack: null });
  }
  return out;
}
