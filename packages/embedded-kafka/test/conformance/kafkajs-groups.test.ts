import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer } from 'kafkajs';
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

const PARTITIONS = 6;

describe('KafkaJS consumer groups', () => {
  it('rebalances 3 members as they join and leave; every partition has exactly one owner', async () => {
    const kafka = kafkaClient(target.bootstrapServers);
    const topic = uniqueTopic('rebalance');
    const groupId = uniqueTopic('grp');
    await createTopics(kafka, [{ topic, numPartitions: PARTITIONS }]);
    const assignments = new Map<Consumer, number[]>();
    const start = async (): Promise<Consumer> => {
      const c = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 200, maxWaitTimeInMs: 100, rebalanceTimeout: 5000 });
      c.on(c.events.GROUP_JOIN, (e) => assignments.set(c, e.payload.memberAssignment[topic] ?? []));
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      await c.run({ eachMessage: async () => {} });
      return c;
    };
    const partitionOwnersOk = (members: Consumer[]): boolean => {
      const owned = members.flatMap((m) => assignments.get(m) ?? []);
      return owned.length === PARTITIONS && new Set(owned).size === PARTITIONS && members.every((m) => (assignments.get(m) ?? []).length > 0);
    };
    const members: Consumer[] = [];
    for (let i = 0; i < 3; i++) {
      members.push(await start());
      await waitFor(() => partitionOwnersOk(members), 30_000, `${members.length} members balanced`);
    }
    expect(members.map((m) => assignments.get(m)!.length)).toEqual([2, 2, 2]);
    const leaving = members.shift()!;
    assignments.delete(leaving);
    await leaving.disconnect();
    await waitFor(() => partitionOwnersOk(members), 30_000, 'rebalance after leave');
    expect(members.map((m) => assignments.get(m)!.length).sort()).toEqual([3, 3]);
    await Promise.all(members.map((m) => m.disconnect()));
  });

  it('resumes from committed offsets with a new consumer', async () => {
    const kafka = kafkaClient(target.bootstrapServers);
    const topic = uniqueTopic('resume');
    const groupId = uniqueTopic('grp');
    await createTopics(kafka, [{ topic, numPartitions: 2 }]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ key: String(i % 2), value: `a${i}` })) });

    const seen: string[] = [];
    const first = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    await first.connect();
    await first.subscribe({ topic, fromBeginning: true });
    await first.run({ autoCommitInterval: 50, eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    await waitFor(() => seen.length === 10, 20_000, 'first batch');
    await first.disconnect(); // commits on the way out

    await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ key: String(i % 2), value: `b${i}` })) });
    await producer.disconnect();
    const second: string[] = [];
    const next = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    await next.connect();
    await next.subscribe({ topic, fromBeginning: true });
    await next.run({ eachMessage: async ({ message }) => void second.push(message.value!.toString()) });
    await waitFor(() => second.length >= 5, 20_000, 'second batch');
    await new Promise((r) => setTimeout(r, 300));
    await next.disconnect();
    expect(second.sort()).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(offsets[0]!.partitions.map((p) => Number(p.offset)).reduce((a, b) => a + b, 0)).toBe(15);
    // Group admin: listed once (each broker lists the groups it coordinates), described, deleted.
    const listed = (await admin.listGroups()).groups.filter((g) => g.groupId === groupId);
    expect(listed).toEqual([{ groupId, protocolType: 'consumer' }]);
    const described = await admin.describeGroups([groupId]);
    expect(described.groups[0]).toMatchObject({ groupId, state: 'Empty', members: [] });
    await admin.deleteGroups([groupId]);
    expect((await admin.listGroups()).groups.some((g) => g.groupId === groupId)).toBe(false);
    await admin.disconnect();
  });
});

describe('KafkaJS admin', () => {
  it('creates and deletes topics, adds partitions, describes configs and groups', async () => {
    const kafka = kafkaClient(target.bootstrapServers);
    const admin = kafka.admin();
    await admin.connect();
    const topic = uniqueTopic('admin');
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '1000000' }] }], waitForLeaders: true })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })).toBe(false); // already exists
    expect(await admin.listTopics()).toContain(topic);

    await admin.createPartitions({ topicPartitions: [{ topic, count: 5 }] });
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]!.partitions).toHaveLength(5);

    const configs = await admin.describeConfigs({ resources: [{ type: 2, name: topic, configNames: ['retention.ms', 'cleanup.policy'] }], includeSynonyms: false });
    const entries = Object.fromEntries(configs.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
    expect(entries).toEqual({ 'retention.ms': '1000000', 'cleanup.policy': 'delete' });

    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: topic, configEntries: [{ name: 'retention.ms', value: '5000' }] }] });
    const after = await admin.describeConfigs({ resources: [{ type: 2, name: topic, configNames: ['retention.ms'] }], includeSynonyms: false });
    expect(after.resources[0]!.configEntries[0]!.configValue).toBe('5000');

    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.map((o) => o.high)).toEqual(['0', '0', '0', '0', '0']);

    await admin.deleteTopics({ topics: [topic] });
    await waitFor(() => true);
    expect(await admin.listTopics()).not.toContain(topic);
    await admin.disconnect();
  });
});
