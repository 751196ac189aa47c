import { ErrorCodes } from '../../protocol/index.js';
import type { ApiHandler } from '../context.js';
import { verifySaslPlain } from '../sasl.js';

const EMPTY = Buffer.alloc(0);

/** SaslAuthenticate: checks a PLAIN token against the configured users (any user when none). */
export const saslAuthenticate: ApiHandler = {
  apiKey: 36,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, req: { authBytes: Buffer }) {
    if (ctx.connection.saslMechanism !== 'PLAIN') {
      return { errorCode: ErrorCodes.ILLEGAL_SASL_STATE, errorMessage: 'SaslHandshake first', authBytes: EMPTY, sessionLifetimeMs: 0 };
    }
    const principal = verifySaslPlain(req.authBytes, ctx.cluster.saslUsers);
    if (principal === null) {
      return { errorCode: ErrorCodes.SASL_AUTHENTICATION_FAILED, errorMessage: 'Authentication failed: Invalid username or password', authBytes: EMPTY, sessionLifetimeMs: 0 };
    }
    ctx.connection.authenticated = true;
    ctx.connection.principal = principal;
    return { errorCode: 0, errorMessage: null, authBytes: EMPTY, sessionLifetimeMs: 0 };
  },
  errorBody: (_req, errorCode) => ({ errorCode, errorMessage: 'injected fault', authBytes: EMPTY, sessionLifetimeMs: 0 }),
};
