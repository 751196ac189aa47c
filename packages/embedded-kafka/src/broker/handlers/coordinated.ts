import type { RequestContext } from '../context.js';

/** True when this broker coordinates `key` (group or transactional id); requests elsewhere get NOT_COORDINATOR. */
export function isCoordinator(ctx: RequestContext, key: string): boolean {
  return ctx.cluster.coordinatorId(key) === ctx.broker.id;
}

/** Client identity the group coordinator uses for member ids and DescribeGroups. */
export function clientInfo(ctx: RequestContext): { clientId: string; clientHost: string } {
  const host = ctx.connection.remote.slice(0, ctx.connection.remote.lastIndexOf(':'));
  return { clientId: ctx.connection.clientId ?? '', clientHost: `/${host}` };
}
