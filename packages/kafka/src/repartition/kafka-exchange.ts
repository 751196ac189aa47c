/**
 * `kafkaExchange`: keyed steps of a job on several instances get their records through a
 * repartition topic (Kafka Streams' model). Each instance writes every record to the partition
 * of its key group inside its exactly-once sink transaction (committed with the checkpoint), and
 * reads back, read_committed, the partitions of the key groups it owns; their offsets live in
 * its checkpoints like any source's, so a rescale hands each partition's position on with the
 * key group's state.
 */

import { keyGroupRangeFor, validateOptions, type KeyExchange, type KeyExchangeContext, type Pipeline, type Stream } from '@weir/core';
import { defaultTransport } from '../transport/default.js';
import type { KafkaConnectionOptions, KafkaTransportFactory } from '../transport/types.js';
import { kafkaSink } from '../sink/kafka-sink.js';
import type { KafkaSinkRecord } from '../sink/types.js';
import { kafkaSource } from '../source/kafka-source.js';
import type { KafkaRecord, StartPosition } from '../source/types.js';
import { exchangeSink } from './exchange-sink.js';
import { kafkaExchangeOptionsSchema } from './options-schema.js';
import { keyGroupOwnedSource } from './exchange-source.js';
import { ensureRepartitionTopic, repartitionTopicName } from './topics.js';
import { ExchangeProgress, isMarker, markerWatermarks } from './watermark-markers.js';

export interface KafkaExchangeOptions {
  /** The cluster that holds the repartition topics (usually the one the job reads). */
  cluster: KafkaConnectionOptions;
  /** How records are encoded in the topic (default JSON: records must be JSON-safe). */
  serde?: { serialize(value: unknown): Buffer | string; deserialize(bytes: Buffer): unknown };
  /** Replication factor of created topics (default 1; use 3 on a production cluster). */
  replicationFactor?: number;
  /** Least time between watermark markers sent because event time moved (default 200 ms; markers are also sent at every checkpoint). */
  markerIntervalMs?: number;
  /** How often the reading side looks for the topic's partitions (default 1 000 ms). */
  discoveryIntervalMs?: number;
  /** Exactly-once transaction timeout on the broker (default the Kafka sink's, 900 000 ms). */
  transactionTimeoutMs?: number;
  /**
   * The Kafka transport (client library) for the topic's writes, reads and creation, as for
   * `kafkaSource` and `kafkaSink`: default {@link defaultTransport} (`WEIR_KAFKA_ADAPTER`).
   */
  transport?: KafkaTransportFactory;
}

const jsonSerde = {
  serialize: (value: unknown): string => JSON.stringify(value),
  deserialize: (bytes: Buffer): unknown => JSON.parse(bytes.toString('utf8')) as unknown,
};

export function kafkaExchange(options: KafkaExchangeOptions): KeyExchange {
  validateOptions(kafkaExchangeOptionsSchema, options, 'kafkaExchange options');
  const serde = options.serde ?? jsonSerde;
  const transport = options.transport ?? defaultTransport();
  return {
    route<T>(input: Stream<T>, key: (value: T) => string, ctx: KeyExchangeContext, pipeline: Pipeline): Stream<T> {
      const topic = repartitionTopicName(ctx.jobName, ctx.stepName);
      const partitions = ctx.maxParallelism;
      let ensured: Promise<void> | undefined;
      const ensureTopic = () => {
        ensured ??= ensureRepartitionTopic(transport, options.cluster, topic, partitions, options.replicationFactor ?? 1).catch((err: unknown) => {
          ensured = undefined;
          throw err;
        });
        return ensured;
      };
      const inner = kafkaSink<KafkaSinkRecord>({
        clusters: [{ ...options.cluster, name: 'exchange' }],
        topic,
        guarantee: 'exactly-once',
        transactionalIdPrefix: topic,
        serialize: (r) => r,
        transport,
        ...(options.transactionTimeoutMs !== undefined ? { transactionTimeoutMs: options.transactionTimeoutMs } : {}),
      });
      input.sink(`${ctx.stepName}.exchange-out`, exchangeSink<T>(inner, { partitions, key, serialize: (v) => serde.serialize(v), markerIntervalMs: options.markerIntervalMs ?? 200, ensureTopic }));

      const range = keyGroupRangeFor(ctx.subtask, ctx.parallelism, ctx.maxParallelism);
      const owned = Array.from({ length: range.end - range.start + 1 }, (_, i) => range.start + i);
      const group = topic;
      // a partition no checkpoint of this instance knows continues from what its last reader committed
      const start: StartPosition = { committed: group, fallback: 'earliest' };
      const source = kafkaSource({
        clusters: [{ ...options.cluster, name: 'exchange', topics: [topic] }],
        startFrom: start,
        newSplitsStartFrom: start,
        commitGroupId: group,
        discoveryIntervalMs: options.discoveryIntervalMs ?? 1000,
        transport,
      });
      const owns = (p: number) => p >= range.start && p <= range.end;
      // the reader feeds it the writers' markers (event time, ends); the watermark strategy reads it
      const progress = new ExchangeProgress(owned);
      return pipeline
        .source<KafkaRecord>(`${ctx.stepName}.exchange-in`, keyGroupOwnedSource(source, owns, ensureTopic, progress), { watermarks: markerWatermarks(progress) })
        .flatMap<T>(`${ctx.stepName}.exchange-decode`, (r) => (isMarker(r) || r.value === null ? [] : [serde.deserialize(r.value) as T]));
    },
  };
}
