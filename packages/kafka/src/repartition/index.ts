export { kafkaExchange } from './kafka-exchange.js';
export type { KafkaExchangeOptions } from './kafka-exchange.js';
export { deleteRepartitionTopics, repartitionTopicName } from './topics.js';
export type { DeleteRepartitionTopicsOptions } from './topics.js';
