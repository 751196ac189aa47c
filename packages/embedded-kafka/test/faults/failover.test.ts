import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startCluster, type EmbeddedCluster } from '../../src/index.js';
import { isExternal, uniqueTopic } from '../support/target.js';
import { createTopics, kafkaClient, waitFor } from '../support/kafkajs.js';

const describeEmbedded = isExternal() ? describe.skip : describe;
let cluster: EmbeddedCluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

function canConnect(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const s = net.connect({ host, port: Number(port) }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

describeEmbedded('fault injection', () => {
  it('producer and consumer fail over when a broker stops', async () => {
    cluster = await startCluster({ brokers: 3 });
    const kafka = kafkaClient(cluster.bootstrapServers);
    const topic = uniqueTopic('failover');
    await createTopics(kafka, [{ topic, numPartitions: 6 }]);
    const producer = kafka.producer();
    await producer.connect();
    const got = new Set<string>();
    const groupId = uniqueTopic('g');
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, heartbeatInterval: 300 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void got.add(message.value!.toString()) });

    const batch = (prefix: string) => Array.from({ length: 30 }, (_, i) => ({ key: String(i), value: `${prefix}-${i}` }));
    await producer.send({ topic, messages: batch('a') });
    await waitFor(() => got.size === 30, 20_000, 'first batch');

    // A partition leader that is not the group coordinator: KafkaJS keeps dialling a dead
    // coordinator until its retries run out (it would on real Kafka too); that case is below.
    const victim = [0, 1, 2].find((id) => id !== cluster!.coordinatorOf(groupId))!;
    expect(Array.from({ length: 6 }, (_, p) => cluster!.leaderOf(topic, p))).toContain(victim);
    await cluster.stopBroker(victim);
    expect(cluster.brokers.find((b) => b.id === victim)!.alive).toBe(false);
    expect(Array.from({ length: 6 }, (_, p) => cluster!.leaderOf(topic, p))).not.toContain(victim);
    // One message per send(): a KafkaJS 2.2.4 send() retried after a leader move skips brokers that
    // already answered its first attempt, silently dropping messages whose partition moved there
    // (sendMessages.js keeps responsePerBroker across retries), on real Kafka as well.
    for (const m of batch('b')) await producer.send({ topic, messages: [m] });
    await waitFor(() => got.size === 60, 30_000, 'batch after failover');

    await cluster.startBroker(victim);
    await producer.send({ topic, messages: batch('c') });
    await waitFor(() => got.size === 90, 30_000, 'batch after restart');
    await producer.disconnect();
    await consumer.disconnect();
    expect(cluster.highWatermarks(topic).reduce((a, b) => a + b, 0)).toBe(90);
  });

  it('a stopped cluster refuses connections; restarted, clients reconnect and data is still there', async () => {
    cluster = await startCluster({ brokers: 2 });
    const kafka = kafkaClient(cluster.bootstrapServers);
    const topic = uniqueTopic('restart');
    await createTopics(kafka, [{ topic, numPartitions: 2 }]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'a', value: 'before-1' }, { key: 'b', value: 'before-2' }] });

    await cluster.stop();
    for (const address of cluster.bootstrapServers) expect(await canConnect(address)).toBe(false);
    await cluster.start();
    for (const address of cluster.bootstrapServers) expect(await canConnect(address)).toBe(true);

    await producer.send({ topic, messages: [{ key: 'a', value: 'after-1' }] }); // the producer reconnects
    await producer.disconnect();
    const got: string[] = [];
    const consumer = kafka.consumer({ groupId: uniqueTopic('g'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
    await waitFor(() => got.length === 3, 20_000, 'all messages');
    await consumer.disconnect();
    expect(got.sort()).toEqual(['after-1', 'before-1', 'before-2']);
  });

  it('fails, hangs and delays requests on demand', async () => {
    cluster = await startCluster({ brokers: 1, topics: [{ name: 't', partitions: 1 }] });
    const kafka = kafkaClient(cluster.bootstrapServers);
    const admin = kafka.admin();
    await admin.connect();
    // Metadata (3) with UNKNOWN_TOPIC_OR_PARTITION until cleared: KafkaJS gives up.
    cluster.failRequests({ apiKey: 3, errorCode: 3, times: 'until-cleared' });
    await expect(admin.fetchTopicMetadata({ topics: ['t'] })).rejects.toThrow();
    cluster.clearFaults();
    expect((await admin.fetchTopicMetadata({ topics: ['t'] })).topics[0]!.name).toBe('t');

    cluster.addLatency({ apiKey: 3, ms: 300 });
    let t0 = Date.now();
    await admin.fetchTopicMetadata({ topics: ['t'] });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    cluster.clearFaults();

    cluster.hangRequests({ apiKey: 3 });
    t0 = Date.now();
    const pending = admin.fetchTopicMetadata({ topics: ['t'] });
    let settled = false;
    void pending.then(() => (settled = true), () => (settled = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);
    cluster.clearFaults();
    await pending;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    await admin.disconnect();
  });

  it('moves a partition leader; the producer follows it', async () => {
    cluster = await startCluster({ brokers: 2, topics: [{ name: 'moving', partitions: 1 }] });
    const kafka = kafkaClient(cluster.bootstrapServers);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'moving', messages: [{ value: '1' }] });
    const admin = kafka.admin();
    await admin.connect();
    const leader = (await admin.fetchTopicMetadata({ topics: ['moving'] })).topics[0]!.partitions[0]!.leader;
    cluster.moveLeader('moving', 0, 1 - leader);
    await producer.send({ topic: 'moving', messages: [{ value: '2' }] });
    expect((await admin.fetchTopicMetadata({ topics: ['moving'] })).topics[0]!.partitions[0]!.leader).toBe(1 - leader);
    await admin.disconnect();
    await producer.disconnect();
    expect(cluster.highWatermarks('moving')).toEqual([2]);
  });

  it('enforces retention.bytes on a timer', async () => {
    cluster = await startCluster({ brokers: 1, retentionCheckIntervalMs: 50, topics: [{ name: 'small', partitions: 1, configs: { 'retention.bytes': '2000' } }] });
    const kafka = kafkaClient(cluster.bootstrapServers);
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 10; i++) await producer.send({ topic: 'small', messages: [{ value: 'x'.repeat(500) }] });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await waitFor(() => true);
    await new Promise((r) => setTimeout(r, 200));
    const [offsets] = await admin.fetchTopicOffsets('small');
    await admin.disconnect();
    expect(Number(offsets!.high)).toBe(10);
    expect(Number(offsets!.low)).toBeGreaterThan(5);
  });
});

describeEmbedded('coordinator failover', () => {
  it('a consumer whose group coordinator stops rejoins on the new coordinator and keeps consuming', async () => {
    cluster = await startCluster({ brokers: 3 });
    const kafka = kafkaClient(cluster.bootstrapServers);
    const topic = uniqueTopic('coordfail');
    await createTopics(kafka, [{ topic, numPartitions: 3 }]);
    const groupId = uniqueTopic('g');
    const got = new Set<string>();
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, heartbeatInterval: 200, retry: { retries: 2, initialRetryTime: 50 } });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void got.add(message.value!.toString()) });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'a' }] });
    await waitFor(() => got.has('a'), 20_000, 'first message');
    const coordinator = cluster.coordinatorOf(groupId);
    await cluster.stopBroker(coordinator);
    expect(cluster.coordinatorOf(groupId)).not.toBe(coordinator);
    for (const value of ['b', 'c', 'd']) await producer.send({ topic, messages: [{ value }] });
    await waitFor(() => got.size === 4, 45_000, 'messages after coordinator failover');
    await producer.disconnect();
    await consumer.disconnect();
  });
});

describeEmbedded('retention by time', () => {
  it('deletes old batches only of topics that set retention.ms', async () => {
    cluster = await startCluster({
      brokers: 1,
      retentionCheckIntervalMs: 60_000,
      topics: [{ name: 'default-retention', partitions: 1 }, { name: 'short-retention', partitions: 1, configs: { 'retention.ms': '60000' } }],
    });
    const producer = kafkaClient(cluster.bootstrapServers).producer();
    await producer.connect();
    for (const topic of ['default-retention', 'short-retention']) {
      // Event-time style timestamps far in the past, then one current record.
      for (let i = 0; i < 3; i++) await producer.send({ topic, messages: [{ value: `old-${i}`, timestamp: String(1000 + i) }] });
      await producer.send({ topic, messages: [{ value: 'now' }] });
    }
    await producer.disconnect();
    cluster.enforceRetention();
    const admin = kafkaClient(cluster.bootstrapServers).admin();
    await admin.connect();
    const low = async (topic: string) => Number((await admin.fetchTopicOffsets(topic))[0]!.low);
    expect(await low('default-retention')).toBe(0);
    expect(await low('short-retention')).toBe(3);
    await admin.disconnect();
  });
});
