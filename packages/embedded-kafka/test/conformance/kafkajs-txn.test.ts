import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { kafkaTarget, uniqueTopic } from '../support/target.js';
import { createTopics, kafkaClient, waitFor } from '../support/kafkajs.js';
import type { TestKafkaTarget } from '../../src/index.js';

let target: TestKafkaTarget;
beforeAll(async () => {
  target = await kafkaTarget({ brokers: 3 });
});
afterAll(async () => {
  await target?.stop();
});

/** Reads every message of a topic with a fresh read_committed (KafkaJS default) consumer. */
async function readAll(kafka: Kafka, topic: string, expected: number, settleMs = 500, readUncommitted = false): Promise<string[]> {
  const values: string[] = [];
  const consumer = kafka.consumer({ groupId: uniqueTopic('reader'), maxWaitTimeInMs: 100, readUncommitted });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
  await waitFor(() => values.length >= expected, 20_000, `${expected} messages`);
  await new Promise((r) => setTimeout(r, settleMs));
  await consumer.disconnect();
  return values;
}

describe('KafkaJS transactions', () => {
  it('committed data is visible, aborted data is not (read_committed)', async () => {
    const kafka = kafkaClient(target.bootstrapServers);
    const topic = uniqueTopic('txn');
    await createTopics(kafka, [{ topic, numPartitions: 3 }]);
    const producer = kafka.producer({ transactionalId: uniqueTopic('tx'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const t1 = await producer.transaction();
    await t1.send({ topic, messages: [{ key: 'a', value: 'commit-1' }, { key: 'b', value: 'commit-2' }] });
    await t1.commit();
    const t2 = await producer.transaction();
    await t2.send({ topic, messages: [{ key: 'a', value: 'abort-1' }, { key: 'c', value: 'abort-2' }] });
    await t2.abort();
    const t3 = await producer.transaction();
    await t3.send({ topic, messages: [{ key: 'c', value: 'commit-3' }] });
    await t3.commit();
    await producer.disconnect();
    expect((await readAll(kafka, topic, 3)).sort()).toEqual(['commit-1', 'commit-2', 'commit-3']);
    // read_uncommitted sees the aborted records too (markers themselves are never delivered).
    expect((await readAll(kafka, topic, 5, 300, true)).sort()).toEqual(['abort-1', 'abort-2', 'commit-1', 'commit-2', 'commit-3']);
  });

  it('sendOffsets commits consumer offsets atomically with the produced data', async () => {
    const kafka = kafkaClient(target.bootstrapServers);
    const input = uniqueTopic('in');
    const output = uniqueTopic('out');
    const groupId = uniqueTopic('grp');
    await createTopics(kafka, [{ topic: input, numPartitions: 1 }, { topic: output, numPartitions: 1 }]);
    const producer = kafka.producer({ transactionalId: uniqueTopic('tx'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const tx = await producer.transaction();
    await tx.send({ topic: output, messages: [{ value: 'derived' }] });
    await tx.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '42' }] }] });
    await tx.commit();
    const aborted = await producer.transaction();
    await aborted.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '99' }] }] });
    await aborted.abort();
    await producer.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId, topics: [input] });
    await admin.disconnect();
    expect(offsets[0]!.partitions[0]!.offset).toBe('42');
    expect(await readAll(kafka, output, 1)).toEqual(['derived']);
  });
});

describe('KafkaJS idempotent producer', () => {
  it('retries a produce whose acknowledgement was lost without duplicating it', async (ctx) => {
    if (target.external) return ctx.skip();
    const kafka = kafkaClient(target.bootstrapServers);
    const topic = uniqueTopic('idem');
    await createTopics(kafka, [{ topic, numPartitions: 1 }]);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'before' }] });
    // The next Produce is appended, then its response is lost (connection dropped): KafkaJS retries.
    target.failRequests({ apiKey: 0, afterHandling: true, times: 1 });
    await producer.send({ topic, messages: [{ value: 'retried-1' }, { value: 'retried-2' }] });
    // And one that fails before it is appended (NOT_LEADER_OR_FOLLOWER is retriable).
    target.failRequests({ apiKey: 0, errorCode: 6, times: 1 });
    await producer.send({ topic, messages: [{ value: 'after' }] });
    await producer.disconnect();
    expect(target.highWatermarks(topic)).toEqual([4]);
    expect((await readAll(kafka, topic, 4)).sort()).toEqual(['after', 'before', 'retried-1', 'retried-2']);
  });
});
