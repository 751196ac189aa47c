import { ErrorCodes } from '../../protocol/index.js';
import { ZERO_UUID } from '../../protocol/codec-support.js';
import { AclOperation } from '../../security/acls.js';
import { topicAllowed } from '../authorize.js';
import type { ApiHandler } from '../context.js';

interface DeleteTopicsRequest {
  /** v6+: by name, or by topic id when the name is null. */
  topics: Array<{ name: string | null; topicId: Buffer }>;
  /** v0-5. */
  topicNames: string[];
  timeoutMs: number;
}

/** DeleteTopics v0-6 (by name; v6 also by topic id). */
export const deleteTopics: ApiHandler = {
  apiKey: 20,
  minVersion: 0,
  maxVersion: 6,
  async handle(ctx, req: DeleteTopicsRequest) {
    const responses = [];
    for (const wanted of targets(req)) {
      const id = wanted.name === null ? wanted.topicId.toString('hex') : undefined;
      const topic = id !== undefined ? [...ctx.cluster.topics.values()].find((t) => t.id.replace(/-/g, '') === id) : ctx.cluster.topics.get(wanted.name!);
      const name = topic?.name ?? wanted.name;
      let result;
      if (name === null) result = { errorCode: ErrorCodes.UNKNOWN_TOPIC_ID, errorMessage: `Topic id ${id} not found` };
      else if (!topicAllowed(ctx, AclOperation.DELETE, name)) result = { errorCode: ErrorCodes.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Authorization failed.' };
      else result = await ctx.cluster.deleteTopic(name);
      const topicId = topic !== undefined ? Buffer.from(topic.id.replace(/-/g, ''), 'hex') : wanted.topicId;
      responses.push({ name, topicId, errorCode: result.errorCode, errorMessage: result.errorMessage });
    }
    return { throttleTimeMs: 0, responses };
  },
  errorBody: (req: DeleteTopicsRequest, errorCode) => ({
    throttleTimeMs: 0,
    responses: targets(req).map((t) => ({ name: t.name, topicId: t.topicId, errorCode, errorMessage: 'injected fault' })),
  }),
};

function targets(req: DeleteTopicsRequest): Array<{ name: string | null; topicId: Buffer }> {
  return req.topics.length > 0 ? req.topics : req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
}
