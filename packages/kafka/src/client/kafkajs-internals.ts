/**
 * The two KafkaJS 2.2.4 internals the fetch path uses, typed here and nowhere else: the
 * `Cluster` a `Kafka` instance creates for its clients (broker pool, metadata, leaders) and the
 * consumer's `Batch` (drops records before the fetch offset, control records and aborted
 * transactions). KafkaJS has no public manual-assignment consumer; see the package README.
 */

import { createRequire } from 'node:module';
import type { Kafka } from 'kafkajs';

const require = createRequire(import.meta.url);

/** A decoded record as KafkaJS's RecordBatch decoder returns it. */
export interface RawMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[] | undefined>;
  isControlRecord: boolean;
  batchContext?: { firstOffset: string; lastOffsetDelta: number };
}

export interface RawPartitionData {
  partition: number;
  errorCode: number;
  highWatermark: string;
  abortedTransactions?: unknown[];
  messages: RawMessage[];
}

export interface InternalBroker {
  fetch(request: {
    replicaId: number;
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; fetchOffset: string; maxBytes: number }> }>;
  }): Promise<{ responses: Array<{ topicName: string; partitions: RawPartitionData[] }> }>;
}

export interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number; leader: number }>;
  fetchTopicsOffset(
    topics: Array<{ topic: string; partitions: Array<{ partition: number }>; fromBeginning?: boolean; fromTimestamp?: number }>,
  ): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>>;
  findBroker(args: { nodeId: string | number }): Promise<InternalBroker>;
}

export interface InternalBatch {
  messages: RawMessage[];
  rawMessages: RawMessage[];
}

type BatchConstructor = new (topic: string, fetchedOffset: string, partitionData: RawPartitionData) => InternalBatch;

/** KafkaJS's consumer Batch (filters records below the fetch offset, control records, aborted data). */
export const Batch = require('kafkajs/src/consumer/batch.js') as BatchConstructor;

/**
 * KafkaJS's private cluster factory: a Cluster with the same connection settings (brokers, ssl,
 * sasl, socket factory) as `kafka`, typed by the caller (the source's and the sink's views of it).
 */
export function createKafkaJsCluster<C>(kafka: Kafka, options: object): C {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  if (symbol === undefined) throw new Error('@weir/kafka: unsupported kafkajs version (no private:Kafka:createCluster); KafkaJS 2.2.x is required');
  const create = (kafka as unknown as Record<symbol, (o: object) => C>)[symbol]!;
  return create({ metadataMaxAge: 300_000, allowAutoTopicCreation: false, maxInFlightRequests: null, ...options });
}

/** The source's cluster: fetches at `isolationLevel`. */
export function createInternalCluster(kafka: Kafka, isolationLevel: number): InternalCluster {
  return createKafkaJsCluster<InternalCluster>(kafka, { isolationLevel });
}
