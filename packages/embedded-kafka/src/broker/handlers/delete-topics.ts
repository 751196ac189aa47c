import { ErrorCodes } from '../../protocol/index.js';
import { AclOperation } from '../../security/acls.js';
import { topicAllowed } from '../authorize.js';
import type { ApiHandler } from '../context.js';

interface DeleteTopicsRequest {
  topicNames: string[];
  timeoutMs: number;
}

/** DeleteTopics v0-5 (by name). */
export const deleteTopics: ApiHandler = {
  apiKey: 20,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, req: DeleteTopicsRequest) {
    const responses = [];
    for (const name of req.topicNames) {
      const result = topicAllowed(ctx, AclOperation.DELETE, name)
        ? await ctx.cluster.deleteTopic(name)
        : { errorCode: ErrorCodes.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Authorization failed.' };
      responses.push({ name, errorCode: result.errorCode, errorMessage: result.errorMessage });
    }
    return { throttleTimeMs: 0, responses };
  },
  errorBody: (req: DeleteTopicsRequest, errorCode) => ({ throttleTimeMs: 0, responses: req.topicNames.map((name) => ({ name, errorCode, errorMessage: 'injected fault' })) }),
};
