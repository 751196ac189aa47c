/**
 * The few KafkaJS internals the sink needs. KafkaJS 2.2.4 has no public API to resume a
 * transaction after a crash (EndTxn with a stored producerId/epoch) and its `producer.send()`
 * can drop records on a retry (it skips brokers that answered the first attempt even when a
 * partition moved to them), so the sink talks to brokers through KafkaJS's own cluster and
 * broker objects: same connection handling, SASL/SSL and request codecs, our own produce,
 * retry and transaction logic.
 */

import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { createKafkaJsCluster } from '../client/kafkajs-internals.js';

/** One message as KafkaJS's request encoder takes it. */
export interface WireMessage {
  key: Buffer | null;
  value: Buffer | string | null;
  headers?: Record<string, string | Buffer | Array<string | Buffer>>;
  timestamp?: number;
}

export interface ProduceTopicData {
  topic: string;
  partitions: Array<{ partition: number; firstSequence?: number; messages: WireMessage[] }>;
}

export interface ProduceResponse {
  topics: Array<{ topicName: string; partitions: Array<{ partition: number; errorCode: number; baseOffset: string }> }>;
}

/** KafkaJS `Broker` methods used here (see kafkajs/src/broker/index.js). */
export interface LowLevelBroker {
  readonly nodeId?: number;
  produce(request: {
    topicData: ProduceTopicData[];
    transactionalId?: string;
    producerId?: number;
    producerEpoch?: number;
    acks?: number;
    timeout?: number;
    compression?: number;
  }): Promise<ProduceResponse>;
  initProducerId(request: { transactionalId?: string; transactionTimeout: number }): Promise<{ producerId: number; producerEpoch: number }>;
  addPartitionsToTxn(request: {
    transactionalId: string;
    producerId: number;
    producerEpoch: number;
    topics: Array<{ topic: string; partitions: number[] }>;
  }): Promise<unknown>;
  endTxn(request: { transactionalId: string; producerId: number; producerEpoch: number; transactionResult: boolean }): Promise<unknown>;
}

export interface PartitionMetadata {
  partitionId: number;
  leader: number;
}

/** KafkaJS `Cluster` methods used here (see kafkajs/src/cluster/index.js). */
export interface LowLevelCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  isConnected(): boolean;
  refreshMetadata(): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  findControllerBroker(): Promise<LowLevelBroker>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  findTopicPartitionMetadata(topic: string): PartitionMetadata[];
  findBroker(request: { nodeId: number | string }): Promise<LowLevelBroker>;
  findGroupCoordinator(request: { groupId: string; coordinatorType: number }): Promise<LowLevelBroker>;
  removeBroker(request: { host: string; port: number }): void;
}

/** KafkaJS coordinator type of transaction coordinators. */
export const TRANSACTION_COORDINATOR = 1;

/** Create a KafkaJS cluster object (what `kafka.producer()` uses underneath). */
export function createLowLevelCluster(config: KafkaConfig): LowLevelCluster {
  return createKafkaJsCluster<LowLevelCluster>(new Kafka({ logLevel: logLevel.NOTHING, ...config }), { instrumentationEmitter: null });
}

/** A KafkaJS error as thrown by broker requests. */
interface KafkaJsErrorShape {
  name?: string;
  type?: string;
  retriable?: boolean;
  code?: string;
  host?: string;
  port?: number;
  message?: string;
}

/**
 * Errors after which the same request may succeed: protocol errors KafkaJS marks retriable (moved
 * leaders, coordinators loading, concurrent transactions) and every non-protocol KafkaJS error
 * (connections refused or closed, timeouts, missing metadata). Retries are bounded by the caller's
 * delivery timeout.
 */
export function isRetriable(err: unknown): boolean {
  const e = err as KafkaJsErrorShape;
  if (e.type !== undefined) {
    if (FATAL_TYPES.has(e.type)) return false;
    return e.retriable === true || e.type === 'CONCURRENT_TRANSACTIONS' || e.type === 'COORDINATOR_LOAD_IN_PROGRESS';
  }
  if (e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' || e.code === 'EPIPE' || e.code === 'ETIMEDOUT') return true;
  return typeof e.name === 'string' && e.name.startsWith('KafkaJS');
}

/** The producer was fenced: a newer InitProducerId for the same transactional id happened. */
export function isFenced(err: unknown): boolean {
  const t = (err as KafkaJsErrorShape).type;
  return t === 'INVALID_PRODUCER_EPOCH' || t === 'PRODUCER_FENCED';
}

const FATAL_TYPES = new Set([
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'INVALID_TXN_STATE',
  'INVALID_PRODUCER_ID_MAPPING',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'TOPIC_AUTHORIZATION_FAILED',
  'INVALID_TRANSACTION_TIMEOUT',
  'UNKNOWN_PRODUCER_ID',
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
]);

/** After a connection error, forget the broker so the next lookup reconnects. */
export function forgetBrokerOnConnectionError(cluster: LowLevelCluster, err: unknown): void {
  const e = err as KafkaJsErrorShape;
  if (e.name === 'KafkaJSConnectionClosedError' && e.host !== undefined && e.port !== undefined) {
    cluster.removeBroker({ host: e.host, port: e.port });
  }
}

export function errorText(err: unknown): string {
  const e = err as KafkaJsErrorShape;
  return e.type ?? e.message ?? String(err);
}
