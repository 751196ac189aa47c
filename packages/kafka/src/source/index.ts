/** The multi-cluster Kafka source. */

export { kafkaSource } from './kafka-source.js';
export { parseClustersFile } from './cluster-directory.js';
export type { ClusterSource, KafkaClusterSpec, KafkaEnumeratorState, KafkaRecord, KafkaSourceOptions, KafkaSplit, StartPosition } from './types.js';
