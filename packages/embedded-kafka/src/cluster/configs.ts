/**
 * Topic and broker configuration defaults reported by DescribeConfigs and used by the broker
 * (retention, maximum batch size). Values mirror Kafka 3.9 defaults.
 */

/** Topic-level config defaults (name -> value). */
export const TOPIC_CONFIG_DEFAULTS: Readonly<Record<string, string>> = {
  'cleanup.policy': 'delete',
  'compression.type': 'producer',
  'delete.retention.ms': '86400000',
  'file.delete.delay.ms': '60000',
  'flush.messages': '9223372036854775807',
  'flush.ms': '9223372036854775807',
  'index.interval.bytes': '4096',
  'max.compaction.lag.ms': '9223372036854775807',
  'max.message.bytes': '1048588',
  'message.timestamp.type': 'CreateTime',
  'min.cleanable.dirty.ratio': '0.5',
  'min.compaction.lag.ms': '0',
  'min.insync.replicas': '1',
  'preallocate': 'false',
  'retention.bytes': '-1',
  'retention.ms': '604800000',
  'segment.bytes': '1073741824',
  'segment.index.bytes': '10485760',
  'segment.jitter.ms': '0',
  'segment.ms': '604800000',
  'unclean.leader.election.enable': 'false',
};

/** Topic configs whose values must parse as integers. */
const NUMERIC_TOPIC_CONFIGS = new Set([
  'delete.retention.ms', 'file.delete.delay.ms', 'flush.messages', 'flush.ms', 'index.interval.bytes',
  'max.compaction.lag.ms', 'max.message.bytes', 'min.compaction.lag.ms', 'min.insync.replicas',
  'retention.bytes', 'retention.ms', 'segment.bytes', 'segment.index.bytes', 'segment.jitter.ms', 'segment.ms',
]);

/** Returns an error message when a topic config name/value is not acceptable, else null. */
export function validateTopicConfig(name: string, value: string | null): string | null {
  if (!(name in TOPIC_CONFIG_DEFAULTS)) return `Unknown topic config name: ${name}`;
  if (value === null) return null;
  if (NUMERIC_TOPIC_CONFIGS.has(name) && !/^-?\d+$/.test(value)) return `Invalid value ${value} for configuration ${name}`;
  if (name === 'cleanup.policy' && !/^(delete|compact)(,(delete|compact))?$/.test(value)) return `Invalid value ${value} for configuration ${name}`;
  if (name === 'message.timestamp.type' && value !== 'CreateTime' && value !== 'LogAppendTime') return `Invalid value ${value} for configuration ${name}`;
  return null;
}

/** Broker-level configs reported for a broker resource. */
export function brokerConfigs(brokerId: number, opts: { defaultPartitions: number; autoCreateTopics: boolean; groupInitialRebalanceDelayMs: number }): Record<string, string> {
  return {
    'broker.id': String(brokerId),
    'node.id': String(brokerId),
    'num.partitions': String(opts.defaultPartitions),
    'default.replication.factor': '1',
    'auto.create.topics.enable': String(opts.autoCreateTopics),
    'delete.topic.enable': 'true',
    'log.retention.ms': TOPIC_CONFIG_DEFAULTS['retention.ms']!,
    'log.retention.hours': '168',
    'log.retention.bytes': '-1',
    'log.segment.bytes': TOPIC_CONFIG_DEFAULTS['segment.bytes']!,
    'log.cleanup.policy': 'delete',
    'message.max.bytes': TOPIC_CONFIG_DEFAULTS['max.message.bytes']!,
    'min.insync.replicas': '1',
    'compression.type': 'producer',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '50',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.max.timeout.ms': '900000',
    'group.initial.rebalance.delay.ms': String(opts.groupInitialRebalanceDelayMs),
    'group.min.session.timeout.ms': '6000',
    'group.max.session.timeout.ms': '1800000',
    'log.message.timestamp.type': 'CreateTime',
  };
}

/** Parses a numeric config value, falling back to the default when absent or invalid. */
export function numericConfig(configs: ReadonlyMap<string, string>, name: string): number {
  const raw = configs.get(name) ?? TOPIC_CONFIG_DEFAULTS[name] ?? '-1';
  const n = Number(raw);
  return Number.isFinite(n) ? n : Number(TOPIC_CONFIG_DEFAULTS[name] ?? -1);
}
