import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ConfigResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { startCluster, startClusters } from '../../src/index.js';
import { ClusterStore } from '../../src/storage/cluster-store.js';
import { batch } from '../log/helpers.js';
import { kafkaClient, waitFor } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-kafka-store-'));
  dirs.push(d);
  return d;
};

describe('dataDir persistence', () => {
  it('restores topics, configs, logs, group offsets and transaction state after a restart', async () => {
    const dataDir = tmp();
    const first = await startCluster({ brokers: 2, dataDir, topics: [{ name: 'p', partitions: 3, configs: { 'retention.ms': '123456' } }] });
    const kafka = kafkaClient(first.bootstrapServers);
    const producer = kafka.producer({ transactionalId: 'tx-persist', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const tx = await producer.transaction();
    await tx.send({ topic: 'p', messages: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] });
    await tx.sendOffsets({ consumerGroupId: 'persisted-group', topics: [{ topic: 'p', partitions: [{ partition: 1, offset: '7' }] }] });
    await tx.commit();
    await producer.disconnect();
    const hw = first.highWatermarks('p');
    await first.stop();

    const second = await startCluster({ brokers: 2, dataDir });
    expect(second.clusterId).toBe(first.clusterId);
    expect(second.topicNames()).toEqual(['p']);
    expect(second.highWatermarks('p')).toEqual(hw);
    expect(second.committedOffset('persisted-group', 'p', 1)).toBe(7);
    const kafka2 = kafkaClient(second.bootstrapServers);
    const admin = kafka2.admin();
    await admin.connect();
    const cfg = await admin.describeConfigs({ resources: [{ type: 2, name: 'p', configNames: ['retention.ms'] }], includeSynonyms: false });
    expect(cfg.resources[0]!.configEntries[0]!.configValue).toBe('123456');
    await admin.disconnect();
    // The transactional id is known: a new producer with it gets the same producer id (epoch bumped).
    const p2 = kafka2.producer({ transactionalId: 'tx-persist', idempotent: true, maxInFlightRequests: 1 });
    await p2.connect();
    const t2 = await p2.transaction();
    await t2.send({ topic: 'p', messages: [{ key: 'c', value: '3' }] });
    await t2.commit();
    await p2.disconnect();
    const values: string[] = [];
    const consumer = kafka2.consumer({ groupId: 'reader', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'p', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
    await waitFor(() => values.length >= 3, 20_000, 'three values');
    await consumer.disconnect();
    expect(values.sort()).toEqual(['1', '2', '3']);
    await second.stop();
  });

  it('restores ACLs (CreateAcls / DeleteAcls) and dynamic broker configs (AlterConfigs) after a restart', async () => {
    const dataDir = tmp();
    // Clients here are User:ANONYMOUS; as a super user it may manage ACLs and configs.
    const authorizer = { superUsers: ['User:ANONYMOUS'] };
    const first = await startCluster({ brokers: 2, dataDir, authorizer });
    const admin = kafkaClient(first.bootstrapServers).admin();
    await admin.connect();
    const acl = (resourceName: string, operation: AclOperationTypes) => ({
      resourceType: AclResourceTypes.TOPIC, resourceName, resourcePatternType: ResourcePatternTypes.LITERAL,
      principal: 'User:alice', host: '*', operation, permissionType: AclPermissionTypes.ALLOW,
    });
    await admin.createAcls({ acl: [acl('kept', AclOperationTypes.READ), acl('deleted', AclOperationTypes.WRITE)] });
    await admin.deleteAcls({ filters: [acl('deleted', AclOperationTypes.WRITE)] });
    await admin.disconnect();
    // Raw AlterConfigs v1: KafkaJS refuses the cluster-wide resource name ''.
    const raw = await RawClient.connect(first.bootstrapServers[0]!);
    const altered = await raw.call(33, 1, { validateOnly: false, resources: [
      { resourceType: ConfigResourceTypes.BROKER, resourceName: '1', configs: [{ name: 'log.retention.ms', value: '3600000' }] },
      { resourceType: ConfigResourceTypes.BROKER, resourceName: '', configs: [{ name: 'log.retention.ms', value: '7200000' }] },
    ] });
    raw.close();
    expect(altered.responses.map((r: { errorCode: number }) => r.errorCode)).toEqual([0, 0]);
    await first.stop();

    // The ACLs of the options are added to the restored ones.
    const second = await startCluster({ brokers: 2, dataDir, authorizer: { ...authorizer, acls: [{ resourceType: 'GROUP', resourceName: 'g', principal: 'User:bob', operation: 'READ' }] } });
    const admin2 = kafkaClient(second.bootstrapServers).admin();
    await admin2.connect();
    const acls = await admin2.describeAcls({
      resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY,
    });
    expect(acls.resources.map((r) => [r.resourceType, r.resourceName, r.acls.map((a) => [a.principal, a.operation])]).sort()).toEqual([
      [AclResourceTypes.TOPIC, 'kept', [['User:alice', AclOperationTypes.READ]]],
      [AclResourceTypes.GROUP, 'g', [['User:bob', AclOperationTypes.READ]]],
    ]);
    const described = await admin2.describeConfigs({ includeSynonyms: false, resources: [
      { type: ConfigResourceTypes.BROKER, name: '1', configNames: ['log.retention.ms'] },
      { type: ConfigResourceTypes.BROKER, name: '0', configNames: ['log.retention.ms'] },
    ] });
    // Broker 1's own value (DYNAMIC_BROKER_CONFIG), broker 0 the cluster-wide one (DYNAMIC_DEFAULT_BROKER_CONFIG).
    expect(described.resources.map((r) => [r.resourceName, r.configEntries[0]!.configValue, r.configEntries[0]!.configSource])).toEqual([
      ['1', '3600000', 2],
      ['0', '7200000', 3],
    ]);
    await admin2.disconnect();
    await second.stop();
  });

  it('runs several independent clusters in one process', async () => {
    const dataDir = tmp();
    const [a, b] = await startClusters(2, { brokers: 2, dataDir, topics: [{ name: 'shared-name', partitions: 1 }] });
    expect(a!.clusterId).not.toBe(b!.clusterId);
    const producer = kafkaClient(a!.bootstrapServers).producer();
    await producer.connect();
    await producer.send({ topic: 'shared-name', messages: [{ value: 'only-in-a' }] });
    await producer.disconnect();
    expect(a!.highWatermarks('shared-name')).toEqual([1]);
    expect(b!.highWatermarks('shared-name')).toEqual([0]);
    expect(fs.existsSync(path.join(dataDir, 'cluster-0', 'meta.json'))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'cluster-1', 'meta.json'))).toBe(true);
    await Promise.all([a!.stop(), b!.stop()]);
  });

  it('removes a deleted topic\'s partition directories, and only those', async () => {
    const dataDir = tmp();
    const store = new ClusterStore(dataDir);
    const logs = await Promise.all([store.open('a/b', 0), store.open('a/b', 1), store.open('other', 0)]);
    for (const log of logs) log.append(batch(), 0);
    await Promise.all(logs.map((log) => log.close()));
    const listed = () => fs.readdirSync(path.join(dataDir, 'logs')).sort();
    expect(listed()).toEqual(['a%2Fb-0', 'a%2Fb-1', 'other-0']);
    store.removeTopic('a/b', 2);
    expect(listed()).toEqual(['other-0']);
  });
});
