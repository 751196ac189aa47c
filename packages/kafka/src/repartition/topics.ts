/**
 * Repartition topics: named from the job and the keyed step, one partition per key group,
 * created by the first instance that needs them and deleted by `deleteRepartitionTopics` when a
 * job ends for good.
 */

import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import type { KafkaConnectionOptions } from '../transport/types.js';

/** `weir.<job>.<step>.repartition`, with characters Kafka does not allow in topic names replaced by '_'. */
export function repartitionTopicName(jobName: string, stepName: string): string {
  const name = `weir.${jobName}.${stepName}.repartition`.replace(/[^A-Za-z0-9._-]/g, '_');
  return name.length <= 249 ? name : name.slice(0, 249);
}

function admin(connection: KafkaConnectionOptions) {
  const config: KafkaConfig = {
    brokers: connection.brokers,
    clientId: connection.clientId ?? 'weir-repartition',
    ssl: connection.ssl as KafkaConfig['ssl'],
    sasl: connection.sasl as KafkaConfig['sasl'],
    connectionTimeout: connection.connectionTimeoutMs ?? 3_000,
    requestTimeout: connection.requestTimeoutMs,
    logLevel: logLevel.NOTHING,
  };
  return new Kafka(config).admin();
}

/**
 * Creates `topic` with `partitions` partitions unless it exists; an existing topic with another
 * partition count is refused (records would go to the wrong instances).
 */
export async function ensureRepartitionTopic(connection: KafkaConnectionOptions, topic: string, partitions: number, replicationFactor: number): Promise<void> {
  const a = admin(connection);
  await a.connect();
  try {
    const existing = await a.listTopics();
    if (!existing.includes(topic)) {
      await a.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor }], waitForLeaders: true }).catch((err: unknown) => {
        // another instance created it first
        if (!/already exists/i.test(String(err))) throw err;
      });
    }
    const meta = await a.fetchTopicMetadata({ topics: [topic] });
    const count = meta.topics[0]?.partitions.length ?? 0;
    if (count !== partitions) {
      throw new Error(
        `repartition topic ${topic} has ${count} partitions, the job needs ${partitions} (one per key group, maxParallelism): ` +
          'it was created for another maxParallelism; delete it (deleteRepartitionTopics) only if the job starts fresh',
      );
    }
  } finally {
    await a.disconnect().catch(() => undefined);
  }
}

/** Deletes the repartition topics of a job's keyed steps (when the job is retired; never while instances run). */
export async function deleteRepartitionTopics(options: { connection: KafkaConnectionOptions; jobName: string; steps: string[] }): Promise<string[]> {
  const topics = options.steps.map((s) => repartitionTopicName(options.jobName, s));
  const a = admin(options.connection);
  await a.connect();
  try {
    const existing = new Set(await a.listTopics());
    const present = topics.filter((t) => existing.has(t));
    if (present.length > 0) await a.deleteTopics({ topics: present });
    return present;
  } finally {
    await a.disconnect().catch(() => undefined);
  }
}
