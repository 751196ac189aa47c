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
  'follower.replication.throttled.replicas': '',
  'leader.replication.throttled.replicas': '',
  'max.message.bytes': '1048588',
  'message.downconversion.enable': 'true',
  'message.format.version': '3.0-IV1',
  'message.timestamp.difference.max.ms': '9223372036854775807',
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
  'message.timestamp.difference.max.ms',
]);

/** Kafka's boolean parser accepts true/false in any case. */
const BOOLEAN_TOPIC_CONFIGS = new Set(['message.downconversion.enable', 'preallocate', 'unclean.leader.election.enable']);

/**
 * Values of the configs Kafka 2.x clients still send, checked as Kafka 3.9 does (LogConfig):
 * message.format.version must name a known release (MetadataVersion, e.g. 0.10.2, 2.8, 3.0-IV1),
 * the throttled-replica lists are `*` or `partition:broker` pairs (ThrottledReplicaListValidator),
 * message.timestamp.difference.max.ms is at least 0.
 */
const throttledReplicas = (v: string): boolean => /^(\*|(\s*\d+\s*:\s*\d+\s*)(,\s*\d+\s*:\s*\d+\s*)*)?$/.test(v.trim());
const SPECIAL: Record<string, (v: string) => boolean> = {
  'cleanup.policy': (v) => /^(delete|compact)(,(delete|compact))?$/.test(v),
  'message.timestamp.type': (v) => v === 'CreateTime' || v === 'LogAppendTime',
  'message.format.version': (v) => /^(0\.(8\.[0-2]|9\.0|10\.[0-2]|11\.0)|1\.[01]|2\.[0-8]|3\.[0-9])(\.\d+)?(-IV\d+)?$/.test(v),
  'leader.replication.throttled.replicas': throttledReplicas,
  'follower.replication.throttled.replicas': throttledReplicas,
  'message.timestamp.difference.max.ms': (v) => !v.startsWith('-'),
};

/** Returns an error message when a topic config name/value is not acceptable, else null. */
export function validateTopicConfig(name: string, value: string | null): string | null {
  if (!(name in TOPIC_CONFIG_DEFAULTS)) return `Unknown topic config name: ${name}`;
  if (value === null) return null;
  const bad = `Invalid value ${value} for configuration ${name}`;
  if (NUMERIC_TOPIC_CONFIGS.has(name) && !/^-?\d+$/.test(value)) return bad;
  if (BOOLEAN_TOPIC_CONFIGS.has(name) && !/^(true|false)$/i.test(value)) return bad;
  return SPECIAL[name] && !SPECIAL[name](value) ? bad : null;
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
