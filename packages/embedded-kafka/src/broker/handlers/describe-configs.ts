import { ErrorCodes } from '../../protocol/index.js';
import { ConfigSource, isDynamicBrokerConfig, type ConfigValue } from '../../cluster/broker-configs.js';
import { TOPIC_CONFIG_DEFAULTS, brokerConfigs } from '../../cluster/configs.js';
import { AclOperation } from '../../security/acls.js';
import { configsAllowed } from '../authorize.js';
import type { ApiHandler, RequestContext } from '../context.js';

const TOPIC = 2;
const BROKER = 4;

interface DescribeConfigsRequest {
  resources: Array<{ resourceType: number; resourceName: string; configurationKeys: string[] | null }>;
  includeSynonyms?: boolean;
}

/** One described config: the winning value and every source in precedence order. */
interface Described {
  name: string;
  readOnly: boolean;
  chain: ConfigValue[];
}

/**
 * DescribeConfigs v0-4 for topic and broker resources. The value is the first of its sources
 * (topic override, per-broker dynamic, cluster-wide dynamic, static, default); v1+ with
 * includeSynonyms lists them all as synonyms, as Kafka does.
 */
export const describeConfigs: ApiHandler = {
  apiKey: 32,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, req: DescribeConfigsRequest) {
    const synonyms = ctx.apiVersion >= 1 && req.includeSynonyms === true;
    return { throttleTimeMs: 0, results: req.resources.map((r) => describe(ctx, r.resourceType, r.resourceName, r.configurationKeys, synonyms)) };
  },
  errorBody: (req: DescribeConfigsRequest, errorCode) => ({
    throttleTimeMs: 0,
    results: req.resources.map((r) => ({ errorCode, errorMessage: 'injected fault', resourceType: r.resourceType, resourceName: r.resourceName, configs: [] })),
  }),
};

/** Every topic config with its sources, from the topic's own values (`own`) down to the defaults. */
function topicEntries(ctx: RequestContext, own: (name: string) => string | undefined): Described[] {
  return Object.keys(TOPIC_CONFIG_DEFAULTS).map((name) => {
    const value = own(name);
    const inherited = ctx.cluster.brokerConfigs.topicInherited(name, ctx.broker.id);
    return { name, readOnly: false, chain: value === undefined ? inherited : [{ name, value, source: ConfigSource.TOPIC_CONFIG }, ...inherited] };
  });
}

/**
 * The configs CreateTopics v5+ returns for a topic with the overrides `own`: each config's
 * winning value and source, as DescribeConfigs lists them.
 */
export function topicConfigsOf(ctx: RequestContext, own: ReadonlyMap<string, string>): Array<{ name: string; value: string | null; readOnly: boolean; configSource: number; isSensitive: boolean }> {
  return topicEntries(ctx, (name) => own.get(name))
    .filter((e) => e.chain.length > 0)
    .map((e) => ({ name: e.name, value: e.chain[0]!.value, readOnly: e.readOnly, configSource: e.chain[0]!.source, isSensitive: false }));
}

function describe(ctx: RequestContext, resourceType: number, resourceName: string, keys: string[] | null, withSynonyms: boolean): any {
  const base = { resourceType, resourceName };
  const { cluster } = ctx;
  const denied = configsAllowed(ctx, AclOperation.DESCRIBE_CONFIGS, resourceType, resourceName);
  if (denied !== 0) return { ...base, errorCode: denied, errorMessage: null, configs: [] };
  let entries: Described[];
  if (resourceType === TOPIC) {
    const topic = cluster.topics.get(resourceName);
    if (!topic) return { ...base, errorCode: ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${resourceName} does not exist`, configs: [] };
    entries = topicEntries(ctx, (name) => topic.configs.get(name));
  } else if (resourceType === BROKER) {
    const id = resourceName === '' ? null : Number(resourceName);
    if (id !== null && (!Number.isInteger(id) || !cluster.brokers[id])) return { ...base, errorCode: ErrorCodes.INVALID_REQUEST, errorMessage: `Unknown broker ${resourceName}`, configs: [] };
    const statics = brokerConfigs(id ?? ctx.broker.id, cluster.config);
    // Configs set dynamically are listed even without a static value.
    const names = new Set([...Object.keys(statics), ...cluster.brokerConfigs.names(id)]);
    entries = [...names].map((name) => {
      const stat = statics[name];
      const chain = [...cluster.brokerConfigs.chain(id, name), ...(stat === undefined ? [] : [{ name, value: stat, source: ConfigSource.STATIC_BROKER_CONFIG }])];
      return { name, readOnly: !isDynamicBrokerConfig(name), chain };
    });
  } else {
    return { ...base, errorCode: ErrorCodes.INVALID_REQUEST, errorMessage: `Unsupported resource type ${resourceType}`, configs: [] };
  }
  const wanted = keys && keys.length > 0 ? new Set(keys) : null;
  const configs = entries
    .filter((e) => (!wanted || wanted.has(e.name)) && e.chain.length > 0)
    .map((e) => {
      const top = e.chain[0]!;
      return {
        name: e.name,
        value: top.value,
        readOnly: e.readOnly,
        isDefault: top.source === ConfigSource.DEFAULT_CONFIG,
        configSource: top.source,
        isSensitive: false,
        synonyms: withSynonyms ? e.chain : [],
        configType: 0,
        documentation: null,
      };
    });
  return { ...base, errorCode: 0, errorMessage: null, configs };
}

