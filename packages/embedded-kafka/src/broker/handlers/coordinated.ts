import { ErrorCodes } from '../../protocol/index.js';
import type { ApiHandler, RequestContext } from '../context.js';

/** True when this broker coordinates `key` (group or transactional id); requests elsewhere get NOT_COORDINATOR. */
export function isCoordinator(ctx: RequestContext, key: string): boolean {
  return ctx.cluster.coordinatorId(key) === ctx.broker.id;
}

/** Client identity the group coordinator uses for member ids and DescribeGroups. */
export function clientInfo(ctx: RequestContext): { clientId: string; clientHost: string } {
  const host = ctx.connection.remote.slice(0, ctx.connection.remote.lastIndexOf(':'));
  return { clientId: ctx.connection.clientId ?? '', clientHost: `/${host}` };
}

/** What {@link coordinatedApi} needs besides the handling itself. */
export interface CoordinatedApi {
  apiKey: number;
  maxVersion: number;
  /** The request field naming the group or transactional id whose coordinator answers. */
  key: 'groupId' | 'transactionalId' | 'v3AndBelowTransactionalId';
  /** The response carrying `errorCode` everywhere: NOT_COORDINATOR on other brokers, or an injected fault. */
  error(req: any, errorCode: number): any;
}

/** A handler for an API only the coordinator of `req[api.key]` answers (with `handle`). */
export function coordinatedApi(api: CoordinatedApi, handle: (ctx: RequestContext, req: any) => any): ApiHandler {
  return {
    apiKey: api.apiKey,
    minVersion: 0,
    maxVersion: api.maxVersion,
    handle: (ctx, req) => (isCoordinator(ctx, req[api.key]) ? handle(ctx, req) : api.error(req, ErrorCodes.NOT_COORDINATOR)),
    errorBody: (req, errorCode) => api.error(req, errorCode),
  };
}
