import { ErrorCodes } from '../../protocol/index.js';
import type { ApiHandler } from '../context.js';

/**
 * SaslHandshake: starts an exchange for one of the cluster's mechanisms. v0 means the tokens
 * follow as raw frames (no Kafka header).
 */
export const saslHandshake: ApiHandler = {
  apiKey: 17,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req: { mechanism: string }) {
    const users = ctx.cluster.sasl;
    const mechanisms = [...users.mechanisms];
    if (ctx.connection.authenticated) return { errorCode: ErrorCodes.ILLEGAL_SASL_STATE, mechanisms };
    const exchange = users.start(req.mechanism);
    if (!exchange) return { errorCode: ErrorCodes.UNSUPPORTED_SASL_MECHANISM, mechanisms };
    ctx.connection.saslMechanism = req.mechanism;
    ctx.connection.sasl = exchange;
    if (ctx.apiVersion === 0) ctx.connection.rawSaslNext = true;
    return { errorCode: 0, mechanisms };
  },
  errorBody: (_req, errorCode) => ({ errorCode, mechanisms: [] }),
};
