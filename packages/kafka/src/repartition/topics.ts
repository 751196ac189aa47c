/**
 * Repartition topics: named from the job and the keyed step, one partition per key group,
 * created by the first instance that needs them and deleted by `deleteRepartitionTopics` when a
 * job ends for good. Both go through the Kafka transport, as the source and the sink do.
 */

import { validateOptions } from '@weir/core';
import { defaultTransport } from '../transport/default.js';
import { deleteRepartitionTopicsOptionsSchema } from './options-schema.js';
import { KafkaTransportError, type KafkaConnectionOptions, type KafkaTransport, type KafkaTransportFactory } from '../transport/types.js';

/** `weir.<job>.<step>.repartition`, with characters Kafka does not allow in topic names replaced by '_'. */
export function repartitionTopicName(jobName: string, stepName: string): string {
  const name = `weir.${jobName}.${stepName}.repartition`.replace(/[^A-Za-z0-9._-]/g, '_');
  return name.length <= 249 ? name : name.slice(0, 249);
}

async function withTransport<R>(factory: KafkaTransportFactory, connection: KafkaConnectionOptions, fn: (t: KafkaTransport) => Promise<R>): Promise<R> {
  const transport = factory({ name: 'repartition', clientId: 'weir-repartition', ...connection });
  try {
    await transport.connect();
    return await fn(transport);
  } finally {
    await transport.close();
  }
}

/**
 * Creates `topic` with `partitions` partitions unless it exists; an existing topic with another
 * partition count is refused (records would go to the wrong instances).
 */
export async function ensureRepartitionTopic(factory: KafkaTransportFactory, connection: KafkaConnectionOptions, topic: string, partitions: number, replicationFactor: number): Promise<void> {
  const existing = await withTransport(factory, connection, async (t) => {
    try {
      const [ensured] = await t.createTopics([{ topic, partitions, replicationFactor }]);
      return ensured?.partitions;
    } catch (err) {
      // fewer partitions than key groups (the transport's error): name the count for the hint below
      if (err instanceof KafkaTransportError && err.type === 'TOPIC_ALREADY_EXISTS') return (await t.partitionCounts([topic])).get(topic) ?? 0;
      throw err;
    }
  });
  if (existing !== undefined && existing !== partitions) {
    throw new Error(
      `repartition topic ${topic} exists with ${existing} partitions, the job needs ${partitions} (one per key group, maxParallelism): ` +
        'it was created for another maxParallelism; delete it (deleteRepartitionTopics) only if the job starts fresh',
    );
  }
}

/** Options of {@link deleteRepartitionTopics}. */
export interface DeleteRepartitionTopicsOptions {
  /** The cluster that holds the repartition topics. */
  connection: KafkaConnectionOptions;
  /** The job's name (as given to its `Pipeline`). */
  jobName: string;
  /** The names of its keyed steps. */
  steps: string[];
  /** The Kafka transport (client library), as for `kafkaExchange`: default {@link defaultTransport}. */
  transport?: KafkaTransportFactory;
}

/** Deletes the repartition topics of a job's keyed steps (when the job is retired; never while instances run); resolves with the topics that existed. */
export async function deleteRepartitionTopics(options: DeleteRepartitionTopicsOptions): Promise<string[]> {
  validateOptions(deleteRepartitionTopicsOptionsSchema, options, 'deleteRepartitionTopics options');
  const topics = options.steps.map((s) => repartitionTopicName(options.jobName, s));
  return withTransport(options.transport ?? defaultTransport(), options.connection, (t) => t.deleteTopics(topics));
}
