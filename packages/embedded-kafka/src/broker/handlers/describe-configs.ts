import { ErrorCodes } from '../../protocol/index.js';
import { TOPIC_CONFIG_DEFAULTS, brokerConfigs } from '../../cluster/configs.js';
import type { ApiHandler, RequestContext } from '../context.js';

const TOPIC = 2;
const BROKER = 4;
/** ConfigSource values of DescribeConfigs v1+. */
const SOURCE_TOPIC = 1;
const SOURCE_STATIC_BROKER = 4;
const SOURCE_DEFAULT = 5;

interface DescribeConfigsRequest {
  resources: Array<{ resourceType: number; resourceName: string; configurationKeys: string[] | null }>;
  includeSynonyms?: boolean;
}

/** DescribeConfigs v0-4 for topic and broker resources. */
export const describeConfigs: ApiHandler = {
  apiKey: 32,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, req: DescribeConfigsRequest) {
    return { throttleTimeMs: 0, results: req.resources.map((r) => describe(ctx, r.resourceType, r.resourceName, r.configurationKeys)) };
  },
  errorBody: (req: DescribeConfigsRequest, errorCode) => ({
    throttleTimeMs: 0,
    results: req.resources.map((r) => ({ errorCode, errorMessage: 'injected fault', resourceType: r.resourceType, resourceName: r.resourceName, configs: [] })),
  }),
};

function describe(ctx: RequestContext, resourceType: number, resourceName: string, keys: string[] | null): any {
  const base = { resourceType, resourceName };
  const { cluster } = ctx;
  let entries: Array<{ name: string; value: string; source: number; readOnly: boolean }>;
  if (resourceType === TOPIC) {
    const topic = cluster.topics.get(resourceName);
    if (!topic) return { ...base, errorCode: ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${resourceName} does not exist`, configs: [] };
    entries = Object.entries(TOPIC_CONFIG_DEFAULTS).map(([name, dflt]) => {
      const own = topic.configs.get(name);
      return { name, value: own ?? dflt, source: own !== undefined ? SOURCE_TOPIC : SOURCE_DEFAULT, readOnly: false };
    });
  } else if (resourceType === BROKER) {
    const id = resourceName === '' ? ctx.broker.id : Number(resourceName);
    if (!Number.isInteger(id) || !cluster.brokers[id]) return { ...base, errorCode: ErrorCodes.INVALID_REQUEST, errorMessage: `Unknown broker ${resourceName}`, configs: [] };
    entries = Object.entries(brokerConfigs(id, cluster.config)).map(([name, value]) => ({ name, value, source: SOURCE_STATIC_BROKER, readOnly: true }));
  } else {
    return { ...base, errorCode: ErrorCodes.INVALID_REQUEST, errorMessage: `Unsupported resource type ${resourceType}`, configs: [] };
  }
  const wanted = keys && keys.length > 0 ? new Set(keys) : null;
  const configs = entries
    .filter((e) => !wanted || wanted.has(e.name))
    .map((e) => ({
      name: e.name,
      value: e.value,
      readOnly: e.readOnly,
      isDefault: e.source === SOURCE_DEFAULT,
      configSource: e.source,
      isSensitive: false,
      synonyms: [],
      configType: 0,
      documentation: null,
    }));
  return { ...base, errorCode: 0, errorMessage: null, configs };
}
