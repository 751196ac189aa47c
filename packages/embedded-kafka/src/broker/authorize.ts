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
