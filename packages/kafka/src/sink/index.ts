export { kafkaSink } from './kafka-sink.js';
export type { KafkaSink } from './kafka-sink.js';
export { murmur2, toPositive, javaPartitionForKey } from './murmur2.js';
export type {
  KafkaClusterStats,
  KafkaClusterTarget,
  KafkaSinkMode,
  KafkaSinkOptions,
  KafkaSinkPartitioner,
  KafkaSinkRecord,
  KafkaTransactionCommittable,
} from './types.js';
