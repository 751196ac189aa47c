/**
 * Replica assignment and reassignment, checked against what Kafka answers. Sources for the
 * expected errors: the protocol guide's error table (kafka.apache.org/protocol#protocol_error_codes)
 * and Kafka's KRaft controller, ReplicationControlManager (createTopic, createPartitions,
 * validateManualPartitionAssignment, alterPartitionReassignment).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { startCluster, type EmbeddedCluster } from '../../src/index.js';
import { kafkaClient, waitFor } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';

let cluster: EmbeddedCluster;
let admin: Admin;
let raw: RawClient;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 3, reassignmentDelayMs: 300 });
  admin = kafkaClient(cluster.bootstrapServers).admin();
  await admin.connect();
  raw = await RawClient.connect(cluster.bootstrapServers[0]!); // broker 0 is the controller
});
afterAll(async () => {
  raw?.close();
  await admin?.disconnect();
  await cluster?.stop();
});

const createTopic = (t: object): Promise<{ errorCode: number; errorMessage: string | null }> =>
  raw.call(19, 4, { topics: [{ numPartitions: -1, replicationFactor: -1, assignments: [], configs: [], ...t }], timeoutMs: 5000, validateOnly: false }).then((r) => r.topics[0]);

async function partitions(topic: string): Promise<Array<{ partitionId: number; leader: number; replicas: number[]; isr: number[] }>> {
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  return meta.topics[0]!.partitions.sort((a, b) => a.partitionId - b.partitionId);
}

describe('replication factor and assignments', () => {
  it('a topic with replication factor 1 lists one replica per partition, in sync, leading', async () => {
    expect(await createTopic({ name: 'rf1', numPartitions: 3, replicationFactor: 1 })).toMatchObject({ errorCode: 0 });
    for (const p of await partitions('rf1')) {
      expect(p.replicas).toHaveLength(1);
      expect(p.isr).toEqual(p.replicas);
      expect(p.leader).toBe(p.replicas[0]);
    }
    // Leaders spread over the brokers like Kafka's round-robin placement.
    expect(new Set((await partitions('rf1')).map((p) => p.leader)).size).toBe(3);
  });

  it('replication factor 2 gives two distinct replicas with the leader among them', async () => {
    await admin.createTopics({ topics: [{ topic: 'rf2', numPartitions: 3, replicationFactor: 2 }] });
    for (const p of await partitions('rf2')) {
      expect(new Set(p.replicas).size).toBe(2);
      expect(p.replicas).toContain(p.leader);
    }
  });

  it('explicit assignments are honoured, preferred replica leading', async () => {
    expect(await createTopic({ name: 'manual', assignments: [{ partitionIndex: 0, brokerIds: [2, 0] }, { partitionIndex: 1, brokerIds: [1, 2] }] })).toMatchObject({ errorCode: 0 });
    expect((await partitions('manual')).map((p) => [p.leader, p.replicas])).toEqual([[2, [2, 0]], [1, [1, 2]]]);
  });

  it('CreateTopics refuses bad placements with Kafka\'s codes', async () => {
    // validateManualPartitionAssignment: unknown broker -> INVALID_REPLICA_ASSIGNMENT (39).
    expect(await createTopic({ name: 'bad1', assignments: [{ partitionIndex: 0, brokerIds: [10] }] })).toMatchObject({ errorCode: 39 });
    // ... a broker listed twice -> 39.
    expect(await createTopic({ name: 'bad2', assignments: [{ partitionIndex: 0, brokerIds: [1, 1] }] })).toMatchObject({ errorCode: 39 });
    // createTopic: numPartitions together with assignments -> InvalidRequestException (42).
    expect(await createTopic({ name: 'bad3', numPartitions: 1, assignments: [{ partitionIndex: 0, brokerIds: [1] }] })).toMatchObject({ errorCode: 42 });
    // Replication factor above the registered brokers -> INVALID_REPLICATION_FACTOR (38).
    expect(await createTopic({ name: 'bad4', numPartitions: 1, replicationFactor: 4 })).toMatchObject({ errorCode: 38 });
    // More than 10000 partitions in one request -> POLICY_VIOLATION (44).
    expect(await createTopic({ name: 'bad5', numPartitions: 10001 })).toMatchObject({ errorCode: 44 });
    expect(cluster.topicNames()).not.toContain('bad1');
  });

  it('CreatePartitions honours and validates assignments (broker 10 -> INVALID_REPLICA_ASSIGNMENT)', async () => {
    const grow = (assignments: Array<{ brokerIds: number[] }> | null, count = 3): Promise<{ errorCode: number; errorMessage: string | null }> =>
      raw.call(37, 1, { topics: [{ name: 'manual', count, assignments }], timeoutMs: 5000, validateOnly: false }).then((r) => r.results[0]);
    expect(await grow([{ brokerIds: [10, 0] }])).toMatchObject({ errorCode: 39 });
    // createPartitions: the number of assignments must match the partitions added -> 39.
    expect(await grow([{ brokerIds: [0, 1] }], 4)).toMatchObject({ errorCode: 39 });
    // ... and the replica count must match the topic's -> 39.
    expect(await grow([{ brokerIds: [0] }])).toMatchObject({ errorCode: 39 });
    expect(await grow([{ brokerIds: [0, 1] }])).toMatchObject({ errorCode: 0 });
    expect((await partitions('manual'))[2]).toMatchObject({ leader: 0, replicas: [0, 1] });
    expect(cluster.replicasOf('manual')).toEqual([[2, 0], [1, 2], [0, 1]]);
  });

  it('a partition whose only replica stops is offline (LEADER_NOT_AVAILABLE, leader -1) until the broker returns', async () => {
    const c = await RawClient.connect(cluster.bootstrapServers[0]!);
    await c.call(19, 4, { topics: [{ name: 'solo1', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
    const owner = cluster.replicasOf('solo1')[0]![0]!;
    expect(owner).not.toBe(0);
    await cluster.stopBroker(owner);
    try {
      const meta = await c.call(3, 5, { topics: [{ name: 'solo1' }], allowAutoTopicCreation: false });
      expect(meta.topics[0].partitions[0]).toMatchObject({ errorCode: 5, leaderId: -1, isrNodes: [], offlineReplicas: [owner] });
    } finally {
      await cluster.startBroker(owner);
    }
    expect(cluster.leaderOf('solo1', 0)).toBe(owner);
    c.close();
  });
});

describe('partition reassignment (KafkaJS admin)', () => {
  it('an ongoing reassignment is listed with adding/removing replicas, then completes with the leader among the targets', async () => {
    const before = cluster.replicasOf('rf1')[0]!;
    const target = [0, 1, 2].filter((id) => !before.includes(id)).slice(0, 2);
    await admin.alterPartitionReassignments({ topics: [{ topic: 'rf1', partitionAssignment: [{ partition: 0, replicas: target }] }] });
    const ongoing = await admin.listPartitionReassignments({ topics: [{ topic: 'rf1', partitions: [0] }] });
    expect(ongoing.topics[0]!.partitions[0]).toMatchObject({ partition: 0, replicas: [...target, ...before], addingReplicas: target, removingReplicas: before });
    await waitFor(() => cluster.replicasOf('rf1')[0]!.join() === target.join(), 5000, 'reassignment');
    expect(target).toContain(cluster.leaderOf('rf1', 0));
    expect((await admin.listPartitionReassignments({})).topics).toEqual([]);
  });

  it('refuses unknown brokers and unknown partitions, and cancelling nothing', async () => {
    const alter = (topic: string, partition: number, replicas: number[] | null): Promise<{ errorCode: number }> =>
      raw.call(45, 0, { timeoutMs: 5000, topics: [{ name: topic, partitions: [{ partitionIndex: partition, replicas }] }] }).then((r) => r.responses[0].partitions[0]);
    expect(await alter('rf1', 0, [10])).toMatchObject({ errorCode: 39 }); // INVALID_REPLICA_ASSIGNMENT
    expect(await alter('rf1', 9, [0])).toMatchObject({ errorCode: 3 }); // UNKNOWN_TOPIC_OR_PARTITION
    expect(await alter('rf1', 1, null)).toMatchObject({ errorCode: 85 }); // NO_REASSIGNMENT_IN_PROGRESS
    // A reassignment cancelled while ongoing keeps the old replicas.
    const before = cluster.replicasOf('rf1')[1]!;
    expect(await alter('rf1', 1, [0, 1, 2])).toMatchObject({ errorCode: 0 });
    expect(await alter('rf1', 1, null)).toMatchObject({ errorCode: 0 });
    await new Promise((r) => setTimeout(r, 400));
    expect(cluster.replicasOf('rf1')[1]).toEqual(before);
  });

  it('only the controller answers (NOT_CONTROLLER elsewhere)', async () => {
    const c = await RawClient.connect(cluster.bootstrapServers[1]!);
    expect((await c.call(46, 0, { timeoutMs: 1000, topics: null })).errorCode).toBe(41);
    c.close();
  });
});
