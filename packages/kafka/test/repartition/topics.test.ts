/**
 * Repartition topics are created and deleted through the transport: on both adapters, and
 * against `WEIR_KAFKA_BROKERS` when set.
 */

import { testCluster, type TestKafkaTarget } from '@weir/embedded-kafka';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTransport, deleteRepartitionTopics, repartitionTopicName } from '../../src/index.js';
import { ensureRepartitionTopic } from '../../src/repartition/topics.js';
import { adapters } from '../adapters.js';

let cluster: TestKafkaTarget;
let admin: Admin;
const run = `rt${Date.now().toString(36)}`;

beforeAll(async () => {
  cluster = await testCluster();
  admin = new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});
afterAll(async () => {
  await admin?.disconnect();
  await cluster?.stop();
});

describe.each(adapters)('repartition topics (%s)', (adapter) => {
  it('are created once with one partition per key group, refused with another count, and deleted by job and step', async () => {
    const jobName = `${run}-${adapter}`;
    const transport = defaultTransport(adapter);
    const connection = { brokers: cluster.bootstrapServers };
    const topic = repartitionTopicName(jobName, 'sums');
    await ensureRepartitionTopic(transport, connection, topic, 8, 1);
    await ensureRepartitionTopic(transport, connection, topic, 8, 1); // a second instance
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]!.partitions).toHaveLength(8);

    await expect(ensureRepartitionTopic(transport, connection, topic, 16, 1)).rejects.toThrow(`repartition topic ${topic} exists with 8 partitions, the job needs 16 (one per key group, maxParallelism)`);
    await expect(ensureRepartitionTopic(transport, connection, topic, 4, 1)).rejects.toThrow(`repartition topic ${topic} exists with 8 partitions, the job needs 4`);

    const other = repartitionTopicName(jobName, 'counts');
    await ensureRepartitionTopic(transport, connection, other, 2, 1);
    expect(await deleteRepartitionTopics({ connection, jobName, steps: ['sums', 'counts', 'never-ran'], transport })).toEqual([topic, other]);
    const end = Date.now() + 10_000;
    while ((await admin.listTopics()).some((t) => t === topic || t === other) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect((await admin.listTopics()).filter((t) => t.startsWith(`weir.${jobName}.`))).toEqual([]);
  }, 30_000);
});
