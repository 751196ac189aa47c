/** The Kafka transport interface and its adapters. */

export { KafkaTransportError, OffsetOutOfRangeError, StaleMetadataError } from './types.js';
export type {
  EnsuredTopic,
  FetchedPartition,
  FetchedRecord,
  FetchRequest,
  KafkaConnectionOptions,
  KafkaTransport,
  KafkaTransportFactory,
  NewTopic,
  OffsetSpec,
  ProduceMessage,
  ProduceRequest,
  ProducerIdentity,
  TopicPartition,
} from './types.js';
export { defaultTransport } from './default.js';
export type { KafkaAdapterName } from './default.js';
export { kafkaJsTransport } from './kafkajs-transport.js';
export type { KafkaJsTransportOptions } from './kafkajs-transport.js';
export { platformaticTransport } from './platformatic-transport.js';
export type { PlatformaticTransportOptions } from './platformatic-transport.js';
