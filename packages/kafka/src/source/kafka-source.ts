/**
 * `kafkaSource`: a FLIP-27 source over several Kafka clusters at once, with runtime discovery of
 * topics, partitions and clusters, offsets in Weir checkpoints, and clusters that may be down.
 */

import { validateOptions, type Source } from '@weir/core';
import { defaultTransport } from '../transport/default.js';
import { ClusterDirectory } from './cluster-directory.js';
import { KafkaEnumerator } from './kafka-enumerator.js';
import { KafkaReader } from './kafka-reader.js';
import { kafkaSourceOptionsSchema } from './options-schema.js';
import type { KafkaEnumeratorState, KafkaRecord, KafkaSourceOptions, KafkaSplit } from './types.js';

/**
 * A source reading every matching topic of every configured cluster.
 *
 * ```ts
 * pipeline.source('orders', kafkaSource({
 *   clusters: [
 *     { name: 'eu', brokers: ['eu-1:9092'], topics: /^orders-/ },
 *     { name: 'us', brokers: ['us-1:9092'], topics: ['orders'] },
 *   ],
 *   commitGroupId: 'orders-pipeline',
 * }));
 * ```
 *
 * Throws an `OptionsError` on unknown keys, misspelt values (`startFrom: 'earliset'`) and
 * malformed broker lists.
 */
export function kafkaSource(options: KafkaSourceOptions): Source<KafkaRecord, KafkaSplit, KafkaEnumeratorState> {
  validateOptions(kafkaSourceOptionsSchema, options, 'kafkaSource options');
  const bounded = options.boundedness === 'bounded';
  const transport = options.transport ?? defaultTransport();
  const backoff = { initialMs: options.reconnectBackoff?.initialMs ?? 200, maxMs: options.reconnectBackoff?.maxMs ?? 10_000 };
  const directory = new ClusterDirectory(options.clusters);
  return {
    boundedness: bounded ? 'bounded' : 'unbounded',
    createEnumerator: (ctx, restored) =>
      new KafkaEnumerator(
        ctx,
        directory,
        {
          bounded,
          startFrom: options.startFrom ?? 'earliest',
          newSplitsStartFrom: options.newSplitsStartFrom ?? 'earliest',
          discoveryIntervalMs: options.discoveryIntervalMs ?? 10_000,
          removedClusterRetentionMs: options.removedClusterRetentionMs ?? 7 * 24 * 3600_000,
          commitGroupId: options.commitGroupId,
          backoff,
          transport,
        },
        restored,
      ),
    createReader: (ctx) =>
      new KafkaReader(ctx, directory, {
        transport,
        fetchMaxWaitMs: options.fetchMaxWaitMs ?? 500,
        fetchMaxBytesPerPartition: options.fetchMaxBytesPerPartition ?? 1 << 20,
        maxBufferedRecordsPerSplit: options.maxBufferedRecordsPerSplit ?? 20_000,
        backoff,
        commitGroupId: options.commitGroupId,
        maxRecordsPerPoll: 50_000,
      }),
  };
}
