/** The narrow Kafka client interface and its KafkaJS implementation. */

export { OffsetOutOfRangeError, StaleMetadataError } from './types.js';
export type { FetchedPartition, FetchedRecord, FetchRequest, KafkaClientFactory, KafkaClusterClient, KafkaConnectionOptions, OffsetSpec, TopicPartition } from './types.js';
export { kafkaJsClientFactory } from './kafkajs-client.js';
export type { KafkaJsClientOptions } from './kafkajs-client.js';
