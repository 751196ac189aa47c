/**
 * CreateTopics v5-7 and DeleteTopics v6 (what @platformatic/kafka's admin client sends), checked
 * against the fields Kafka's schemas define for those versions: v5+ returns the created topic's
 * partition count, replication factor and configs, v7 its topic id; DeleteTopics v6 deletes by
 * name or by topic id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type EmbeddedCluster } from '../../src/index.js';
import { RawClient } from '../support/raw-client.js';

let cluster: EmbeddedCluster;
let raw: RawClient;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 2 });
  raw = await RawClient.connect(cluster.bootstrapServers[0]!);
});
afterAll(async () => {
  raw?.close();
  await cluster?.stop();
});

interface Created {
  name: string;
  topicId: Buffer;
  errorCode: number;
  errorMessage: string | null;
  numPartitions: number;
  replicationFactor: number;
  configs: Array<{ name: string; value: string | null; configSource: number }> | null;
}

const create = (version: number, t: object, validateOnly = false): Promise<Created> =>
  raw.call(19, version, { topics: [{ numPartitions: -1, replicationFactor: -1, assignments: [], configs: [], ...t }], timeoutMs: 5000, validateOnly }).then((r) => r.topics[0]);

const remove = (topics: Array<{ name: string | null; topicId?: Buffer }>): Promise<Array<{ name: string | null; topicId: Buffer; errorCode: number }>> =>
  raw.call(20, 6, { topics: topics.map((t) => ({ topicId: Buffer.alloc(16), ...t })), timeoutMs: 5000 }).then((r) => r.responses);

describe('CreateTopics v5-7 / DeleteTopics v6', () => {
  it('v7 answers with the topic id, partition count, replication factor and configs (overrides as TOPIC_CONFIG)', async () => {
    const r = await create(7, { name: 'v7', numPartitions: 3, replicationFactor: 2, configs: [{ name: 'retention.ms', value: '60000' }] });
    expect(r).toMatchObject({ name: 'v7', errorCode: 0, numPartitions: 3, replicationFactor: 2 });
    expect(r.topicId.equals(Buffer.alloc(16))).toBe(false);
    expect(r.configs!.find((c) => c.name === 'retention.ms')).toMatchObject({ value: '60000', configSource: 1 });
    expect(r.configs!.find((c) => c.name === 'cleanup.policy')).toMatchObject({ value: 'delete', configSource: 5 });
    expect(cluster.topicNames()).toContain('v7');
  });

  it('an existing topic, a bad replication factor: the error with -1, -1 and no configs', async () => {
    await create(5, { name: 'dup', numPartitions: 1 });
    expect(await create(5, { name: 'dup', numPartitions: 1 })).toMatchObject({ errorCode: 36, numPartitions: -1, replicationFactor: -1, configs: [] });
    const bad = await create(7, { name: 'rf3', numPartitions: 1, replicationFactor: 3 });
    expect(bad).toMatchObject({ errorCode: 38, numPartitions: -1 });
    expect(bad.errorMessage).toMatch(/replication factor of 3 cannot be reached because only 2 broker/);
  });

  it('validateOnly describes the topic that would be created without creating it', async () => {
    const r = await create(6, { name: 'dry', numPartitions: 4, configs: [{ name: 'cleanup.policy', value: 'compact' }] }, true);
    expect(r).toMatchObject({ errorCode: 0, numPartitions: 4, replicationFactor: 2 });
    expect(r.configs!.find((c) => c.name === 'cleanup.policy')).toMatchObject({ value: 'compact', configSource: 1 });
    expect(cluster.topicNames()).not.toContain('dry');
  });

  it('DeleteTopics v6 deletes by name and by topic id; an unknown id is UNKNOWN_TOPIC_ID, an unknown name UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const a = await create(7, { name: 'del-a', numPartitions: 1 });
    await create(7, { name: 'del-b', numPartitions: 1 });
    const unknownId = Buffer.alloc(16, 7);
    const res = await remove([{ name: null, topicId: a.topicId }, { name: 'del-b' }, { name: null, topicId: unknownId }, { name: 'never' }]);
    expect(res.map((r) => [r.name, r.errorCode])).toEqual([
      ['del-a', 0],
      ['del-b', 0],
      [null, 100],
      ['never', 3],
    ]);
    expect(res[0]!.topicId.equals(a.topicId)).toBe(true);
    expect(cluster.topicNames()).not.toContain('del-a');
    expect(cluster.topicNames()).not.toContain('del-b');
  });
});
