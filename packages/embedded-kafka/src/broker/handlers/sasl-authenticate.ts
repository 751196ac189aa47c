import { ErrorCodes } from '../../protocol/index.js';
import type { ApiHandler } from '../context.js';

const EMPTY = Buffer.alloc(0);

/** SaslAuthenticate: one token of the exchange SaslHandshake started (PLAIN: one; SCRAM: two). */
export const saslAuthenticate: ApiHandler = {
  apiKey: 36,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, req: { authBytes: Buffer }) {
    const conn = ctx.connection;
    if (!conn.sasl) return { errorCode: ErrorCodes.ILLEGAL_SASL_STATE, errorMessage: 'SaslHandshake first', authBytes: EMPTY, sessionLifetimeMs: 0 };
    const step = conn.sasl.step(req.authBytes);
    if (step.kind === 'fail') {
      // Kafka's SaslServerAuthenticator sends the failure and then closes the connection.
      conn.sasl = null;
      conn.closeAfterResponse = true;
      return { errorCode: ErrorCodes.SASL_AUTHENTICATION_FAILED, errorMessage: step.message, authBytes: EMPTY, sessionLifetimeMs: 0 };
    }
    if (step.kind === 'done') {
      conn.sasl = null;
      conn.authenticated = true;
      conn.principal = `User:${step.user}`;
    }
    return { errorCode: 0, errorMessage: null, authBytes: step.reply, sessionLifetimeMs: 0 };
  },
  errorBody: (_req, errorCode) => ({ errorCode, errorMessage: 'injected fault', authBytes: EMPTY, sessionLifetimeMs: 0 }),
};
