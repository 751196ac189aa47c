import { ErrorCodes } from '../../protocol/index.js';
import type { ApiHandler, RequestContext } from '../context.js';

interface FindCoordinatorRequest {
  key?: string;
  keyType?: number;
  coordinatorKeys?: string[];
}

/**
 * FindCoordinator v0-4: the coordinator of a group (key type 0) or transactional id (1) is a live
 * broker chosen by hashing the key over the live brokers.
 */
export const findCoordinator: ApiHandler = {
  apiKey: 10,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, req: FindCoordinatorRequest) {
    const keyType = req.keyType ?? 0;
    if (ctx.apiVersion >= 4) {
      return { throttleTimeMs: 0, coordinators: (req.coordinatorKeys ?? []).map((key) => ({ key, ...locate(ctx, key, keyType) })) };
    }
    return { throttleTimeMs: 0, ...locate(ctx, req.key ?? '', keyType) };
  },
  errorBody: (req: FindCoordinatorRequest, errorCode, apiVersion) => {
    const none = { errorCode, errorMessage: 'injected fault', nodeId: -1, host: '', port: -1 };
    return apiVersion >= 4 ? { throttleTimeMs: 0, coordinators: (req.coordinatorKeys ?? []).map((key) => ({ key, ...none })) } : { throttleTimeMs: 0, ...none };
  },
};

function locate(ctx: RequestContext, key: string, keyType: number): { errorCode: number; errorMessage: string | null; nodeId: number; host: string; port: number } {
  if (keyType !== 0 && keyType !== 1) return { errorCode: ErrorCodes.INVALID_REQUEST, errorMessage: `unknown key type ${keyType}`, nodeId: -1, host: '', port: -1 };
  const id = ctx.cluster.coordinatorId(key);
  if (id < 0) return { errorCode: ErrorCodes.COORDINATOR_NOT_AVAILABLE, errorMessage: null, nodeId: -1, host: '', port: -1 };
  const l = ctx.cluster.broker(id).listener(ctx.connection.listener.name);
  if (!l) return { errorCode: ErrorCodes.COORDINATOR_NOT_AVAILABLE, errorMessage: null, nodeId: -1, host: '', port: -1 };
  return { errorCode: 0, errorMessage: null, nodeId: id, host: l.host, port: l.port };
}
