/**
 * Dynamic broker configs (AlterConfigs on a BROKER resource): per broker (resource name = id) or
 * cluster-wide (resource name ''), and how they stand in for topic configs a topic does not set.
 * Kafka's order of precedence, reported as DescribeConfigs synonyms: topic override, per-broker
 * dynamic, cluster-wide dynamic, static, default (KafkaConfig / DynamicBrokerConfig).
 */
import { TOPIC_CONFIG_DEFAULTS, validateTopicConfig } from './configs.js';

/** DescribeConfigs ConfigSource codes. */
export const ConfigSource = { TOPIC_CONFIG: 1, DYNAMIC_BROKER_CONFIG: 2, DYNAMIC_DEFAULT_BROKER_CONFIG: 3, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;

/** Topic config -> the broker config that supplies its default (LogConfig's synonyms). */
export const BROKER_SYNONYM: Readonly<Record<string, string>> = {
  'cleanup.policy': 'log.cleanup.policy',
  'compression.type': 'compression.type',
  'delete.retention.ms': 'log.cleaner.delete.retention.ms',
  'file.delete.delay.ms': 'log.segment.delete.delay.ms',
  'flush.messages': 'log.flush.interval.messages',
  'flush.ms': 'log.flush.interval.ms',
  'index.interval.bytes': 'log.index.interval.bytes',
  'max.compaction.lag.ms': 'log.cleaner.max.compaction.lag.ms',
  'max.message.bytes': 'message.max.bytes',
  'message.downconversion.enable': 'log.message.downconversion.enable',
  'message.format.version': 'log.message.format.version',
  'message.timestamp.difference.max.ms': 'log.message.timestamp.difference.max.ms',
  'message.timestamp.type': 'log.message.timestamp.type',
  'min.cleanable.dirty.ratio': 'log.cleaner.min.cleanable.ratio',
  'min.compaction.lag.ms': 'log.cleaner.min.compaction.lag.ms',
  'min.insync.replicas': 'min.insync.replicas',
  'preallocate': 'log.preallocate',
  'retention.bytes': 'log.retention.bytes',
  'retention.ms': 'log.retention.ms',
  'segment.bytes': 'log.segment.bytes',
  'segment.index.bytes': 'log.index.size.max.bytes',
  'segment.jitter.ms': 'log.roll.jitter.ms',
  'segment.ms': 'log.roll.ms',
  'unclean.leader.election.enable': 'unclean.leader.election.enable',
};
const TOPIC_OF = new Map(Object.entries(BROKER_SYNONYM).map(([topic, broker]) => [broker, topic]));

/**
 * Broker configs that are not log defaults but that Kafka also updates without a restart
 * (DynamicBrokerConfig: thread pools, connection quotas); positive integers.
 */
const DYNAMIC_NON_LOG = new Set([
  'num.io.threads', 'num.network.threads', 'num.replica.fetchers', 'num.recovery.threads.per.data.dir', 'background.threads',
  'log.cleaner.threads', 'max.connections', 'max.connections.per.ip', 'max.connection.creation.rate',
]);

/** Whether Kafka accepts `name` as a dynamic broker config. */
export function isDynamicBrokerConfig(name: string): boolean {
  return (TOPIC_OF.has(name) && name !== 'log.message.format.version') || DYNAMIC_NON_LOG.has(name);
}

/** Why a dynamic broker config is refused (Kafka answers INVALID_CONFIG), or null. */
export function brokerConfigError(name: string, value: string | null): string | null {
  if (!isDynamicBrokerConfig(name)) return `Cannot update these configs dynamically: Set(${name})`;
  if (value === null) return null;
  const topicName = TOPIC_OF.get(name);
  if (topicName) return validateTopicConfig(topicName, value) === null ? null : `Invalid value ${value} for configuration ${name}`;
  return /^[1-9]\d*$/.test(value) ? null : `Invalid value ${value} for configuration ${name}: Value must be at least 1`;
}

export interface ConfigValue {
  name: string;
  value: string;
  source: number;
}

/** Dynamic broker configs by resource ('' = cluster-wide, '<id>' = one broker), as stored in `dataDir`. */
export type StoredBrokerConfigs = Record<string, Record<string, string>>;

/** Dynamic broker configs of one cluster: '' = cluster-wide default, '<id>' = one broker. */
export class DynamicBrokerConfigs {
  private readonly byResource = new Map<string, Map<string, string>>();

  /** Replaces the dynamic configs of a resource (AlterConfigs semantics). */
  replace(resource: string, configs: Record<string, string | null>): void {
    const m = new Map<string, string>();
    for (const [k, v] of Object.entries(configs)) if (v !== null) m.set(k, v);
    this.byResource.set(resource, m);
  }

  /** Every resource's configs, for `dataDir`. */
  snapshot(): StoredBrokerConfigs {
    const out: StoredBrokerConfigs = {};
    for (const [resource, m] of this.byResource) if (m.size > 0) out[resource] = Object.fromEntries(m);
    return out;
  }

  /** Names set for a broker (and cluster-wide). */
  names(brokerId: number | null): string[] {
    const own = brokerId === null ? [] : [...(this.byResource.get(String(brokerId))?.keys() ?? [])];
    return [...own, ...(this.byResource.get('')?.keys() ?? [])];
  }

  /** Broker config values in precedence order: per-broker dynamic, then cluster-wide dynamic. */
  chain(brokerId: number | null, name: string): ConfigValue[] {
    const out: ConfigValue[] = [];
    const own = brokerId === null ? undefined : this.byResource.get(String(brokerId))?.get(name);
    if (own !== undefined) out.push({ name, value: own, source: ConfigSource.DYNAMIC_BROKER_CONFIG });
    const all = this.byResource.get('')?.get(name);
    if (all !== undefined) out.push({ name, value: all, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
    return out;
  }

  /**
   * A topic config's value sources (synonyms) without the topic's own override: the broker
   * synonym's dynamic values, then the default.
   */
  topicInherited(topicName: string, brokerId: number | null): ConfigValue[] {
    const broker = BROKER_SYNONYM[topicName];
    const chain = broker ? this.chain(brokerId, broker) : [];
    return [...chain, { name: broker ?? topicName, value: TOPIC_CONFIG_DEFAULTS[topicName] ?? '', source: ConfigSource.DEFAULT_CONFIG }];
  }
}
