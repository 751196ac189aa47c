import { ErrorCodes } from '../../protocol/index.js';
import { AclOperation } from '../../security/acls.js';
import { configsAllowed } from '../authorize.js';
import type { ApiHandler } from '../context.js';

const TOPIC = 2;
const BROKER = 4;

interface AlterConfigsRequest {
  resources: Array<{ resourceType: number; resourceName: string; configs: Array<{ name: string; value: string | null }> }>;
  validateOnly: boolean;
}

/** AlterConfigs v0-2: replaces a topic's or a broker's (dynamic) config set. */
export const alterConfigs: ApiHandler = {
  apiKey: 33,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, req: AlterConfigsRequest) {
    return {
      throttleTimeMs: 0,
      responses: req.resources.map((r) => {
        const base = { resourceType: r.resourceType, resourceName: r.resourceName };
        if (r.resourceType !== TOPIC && r.resourceType !== BROKER) return { ...base, errorCode: ErrorCodes.INVALID_REQUEST, errorMessage: `Unsupported resource type ${r.resourceType}` };
        const denied = configsAllowed(ctx, AclOperation.ALTER_CONFIGS, r.resourceType, r.resourceName);
        if (denied !== 0) return { ...base, errorCode: denied, errorMessage: null };
        const configs = Object.fromEntries(r.configs.map((c) => [c.name, c.value]));
        const result = r.resourceType === TOPIC
          ? ctx.cluster.setTopicConfigs(r.resourceName, configs, req.validateOnly)
          : ctx.cluster.setBrokerConfigs(r.resourceName, configs, req.validateOnly);
        return { ...base, ...result };
      }),
    };
  },
  errorBody: (req: AlterConfigsRequest, errorCode) => ({
    throttleTimeMs: 0,
    responses: req.resources.map((r) => ({ errorCode, errorMessage: 'injected fault', resourceType: r.resourceType, resourceName: r.resourceName })),
  }),
};
