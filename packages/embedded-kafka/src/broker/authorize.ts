import { ErrorCodes } from '../protocol/index.js';
import { AclOperation, ResourceType, CLUSTER_RESOURCE } from '../security/acls.js';
import type { RequestContext } from './context.js';

/** Whether the connection's principal may do `operation` on a resource; always true without an authorizer. */
export function allowed(ctx: RequestContext, operation: number, resourceType: number, name: string): boolean {
  const authorizer = ctx.cluster.authorizer;
  if (!authorizer) return true;
  const remote = ctx.connection.remote;
  return authorizer.authorize(ctx.connection.principal, remote.slice(0, remote.lastIndexOf(':')), operation, resourceType, name);
}

export const topicAllowed = (ctx: RequestContext, operation: number, topic: string): boolean => allowed(ctx, operation, ResourceType.TOPIC, topic);
export const clusterAllowed = (ctx: RequestContext, operation: number): boolean => allowed(ctx, operation, ResourceType.CLUSTER, CLUSTER_RESOURCE);

/** Topic creation: CREATE on the cluster or on the topic (Kafka's KafkaApis.handleCreateTopicsRequest). */
export const mayCreateTopic = (ctx: RequestContext, topic: string): boolean => clusterAllowed(ctx, AclOperation.CREATE) || topicAllowed(ctx, AclOperation.CREATE, topic);

/**
 * DescribeConfigs / AlterConfigs: the operation on the topic, or on the cluster for a broker
 * resource; 0 or the error code for that resource (config resource type 2 = topic, 4 = broker).
 */
export function configsAllowed(ctx: RequestContext, operation: number, configResourceType: number, name: string): number {
  if (configResourceType === 2) return topicAllowed(ctx, operation, name) ? 0 : ErrorCodes.TOPIC_AUTHORIZATION_FAILED;
  return clusterAllowed(ctx, operation) ? 0 : ErrorCodes.CLUSTER_AUTHORIZATION_FAILED;
}

interface TopicsRequest {
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number }> }>;
}

/**
 * Runs an offset commit with only the topics the principal may READ; the others are answered
 * TOPIC_AUTHORIZATION_FAILED per partition and nothing is stored for them (KafkaApis.handleOffsetCommitRequest).
 */
export function commitAllowedTopics<R extends TopicsRequest>(ctx: RequestContext, req: R, commit: (req: R) => { topics: unknown[] }): any {
  const denied = req.topics.filter((t) => !topicAllowed(ctx, AclOperation.READ, t.name));
  if (denied.length === 0) return commit(req);
  const res = commit({ ...req, topics: req.topics.filter((t) => !denied.includes(t)) });
  const refused = denied.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCodes.TOPIC_AUTHORIZATION_FAILED })) }));
  return { ...res, topics: [...res.topics, ...refused] };
}
