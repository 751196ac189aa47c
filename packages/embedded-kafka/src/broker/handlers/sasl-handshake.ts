import { ErrorCodes } from '../../protocol/index.js';
import type { ApiHandler } from '../context.js';

const MECHANISMS = ['PLAIN'];

/** SaslHandshake: PLAIN only. v0 means the token follows as a raw frame (no Kafka header). */
export const saslHandshake: ApiHandler = {
  apiKey: 17,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req: { mechanism: string }) {
    if (!MECHANISMS.includes(req.mechanism)) return { errorCode: ErrorCodes.UNSUPPORTED_SASL_MECHANISM, mechanisms: MECHANISMS };
    ctx.connection.saslMechanism = req.mechanism;
    if (ctx.apiVersion === 0) ctx.connection.rawSaslNext = true;
    return { errorCode: 0, mechanisms: MECHANISMS };
  },
  errorBody: (_req, errorCode) => ({ errorCode, mechanisms: MECHANISMS }),
};
