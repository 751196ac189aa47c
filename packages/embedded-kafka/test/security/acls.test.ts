import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes } from 'kafkajs';
import { startCluster, type EmbeddedCluster } from '../../src/index.js';
import { KCAT, itKcat, kcatConsume, kcatProduce, kcatProps } from '../support/kcat.js';
import { waitFor } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';

const run = promisify(execFile);
const USERS = { admin: 'admin-pw', alice: 'alice-pw' };
let cluster: EmbeddedCluster;

beforeAll(async () => {
  cluster = await startCluster({
    sasl: { users: USERS },
    authorizer: { superUsers: ['User:admin'] },
    topics: [{ name: 'open', partitions: 1 }, { name: 'closed', partitions: 1 }],
  });
  // alice: write+read 'open', group 'g-ok', transactional id 'tx-ok'; nothing on 'closed', 'g-no', 'tx-no'.
  const admin = client('admin').admin();
  await admin.connect();
  const allow = (resourceType: AclResourceTypes, resourceName: string, operation: AclOperationTypes) => ({
    resourceType, resourceName, resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:alice', host: '*', operation, permissionType: AclPermissionTypes.ALLOW,
  });
  await admin.createAcls({
    acl: [
      allow(AclResourceTypes.TOPIC, 'open', AclOperationTypes.WRITE),
      allow(AclResourceTypes.TOPIC, 'open', AclOperationTypes.READ),
      allow(AclResourceTypes.GROUP, 'g-ok', AclOperationTypes.READ),
      allow(AclResourceTypes.TRANSACTIONAL_ID, 'tx-ok', AclOperationTypes.WRITE),
    ],
  });
  await admin.disconnect();
});
afterAll(async () => {
  await cluster?.stop();
});

/** KafkaJS with one retry at most (idempotent producers refuse zero). */
function client(user: keyof typeof USERS): Kafka {
  return new Kafka({ brokers: cluster.bootstrapServers, sasl: { mechanism: 'plain', username: user, password: USERS[user] }, logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50 } });
}

describe('ACL APIs (KafkaJS admin)', () => {
  it('DescribeAcls lists what CreateAcls stored; DeleteAcls removes what its filter matches', async () => {
    const admin = client('admin').admin();
    await admin.connect();
    const filter = { resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY };
    const all = await admin.describeAcls(filter);
    expect(all.resources.map((r) => r.resourceName).sort()).toEqual(['g-ok', 'open', 'tx-ok']);
    expect(all.resources.find((r) => r.resourceName === 'open')!.acls).toHaveLength(2);
    await admin.createAcls({ acl: [{ resourceType: AclResourceTypes.TOPIC, resourceName: 'tmp-', resourcePatternType: ResourcePatternTypes.PREFIXED, principal: 'User:carol', host: '*', operation: AclOperationTypes.ALL, permissionType: AclPermissionTypes.DENY }] });
    const deleted = await admin.deleteAcls({ filters: [{ ...filter, principal: 'User:carol' }] });
    expect(deleted.filterResponses[0]!.matchingAcls).toMatchObject([{ resourceName: 'tmp-', resourcePatternType: ResourcePatternTypes.PREFIXED, operation: AclOperationTypes.ALL }]);
    expect((await admin.describeAcls(filter)).resources).toHaveLength(3);
    await admin.disconnect();
  });

  it('malformed bindings get INVALID_REQUEST; a non-super user gets CLUSTER_AUTHORIZATION_FAILED', async () => {
    const c = await RawClient.connect(cluster.bootstrapServers[0]!);
    await c.call(17, 1, { mechanism: 'PLAIN' });
    await c.call(36, 1, { authBytes: Buffer.from('\u0000alice\u0000alice-pw') });
    // Kafka: CreateAcls/DeleteAcls need ALTER and DescribeAcls DESCRIBE on the cluster (KafkaApis / AclApis.handle*Acls).
    expect((await c.call(29, 1, { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 })).errorCode).toBe(31);
    c.close();
    const a = await RawClient.connect(cluster.bootstrapServers[0]!);
    await a.call(17, 1, { mechanism: 'PLAIN' });
    await a.call(36, 1, { authBytes: Buffer.from('\u0000admin\u0000admin-pw') });
    const binding = { resourceType: 2, resourceName: 't', resourcePatternType: 3, principal: 'User:x', host: '*', operation: 3, permissionType: 3 };
    // AclControlManager.validateNewAcl: a principal without "Type:" and an ANY operation are InvalidRequestException (42).
    const res = await a.call(30, 1, { creations: [{ ...binding, principal: 'x' }, { ...binding, operation: 1 }, binding] });
    expect(res.results.map((r: { errorCode: number }) => r.errorCode)).toEqual([42, 42, 0]);
    a.close();
  });

  it('without an authorizer the ACL APIs answer SECURITY_DISABLED (54)', async () => {
    const plain = await startCluster();
    const c = await RawClient.connect(plain.bootstrapServers[0]!);
    const res = await c.call(29, 1, { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 });
    expect(res).toMatchObject({ errorCode: 54, errorMessage: 'No Authorizer is configured on the broker' });
    c.close();
    await plain.stop();
  });
});

describe('enforcement with KafkaJS', () => {
  it('produce: allowed on a topic with WRITE, TOPIC_AUTHORIZATION_FAILED without', async () => {
    const producer = client('alice').producer();
    await producer.connect();
    await producer.send({ topic: 'open', messages: [{ value: 'a1' }] });
    await expect(producer.send({ topic: 'closed', messages: [{ value: 'x' }] })).rejects.toMatchObject({ cause: { type: 'TOPIC_AUTHORIZATION_FAILED' } });
    await producer.disconnect();
  });

  it('consume in an allowed group; a group without READ fails with GROUP_AUTHORIZATION_FAILED', async () => {
    const kafka = client('alice');
    const got: string[] = [];
    const ok = kafka.consumer({ groupId: 'g-ok', maxWaitTimeInMs: 100 });
    await ok.connect();
    await ok.subscribe({ topic: 'open', fromBeginning: true });
    await ok.run({ eachMessage: async ({ message }) => void got.push(String(message.value)) });
    await waitFor(() => got.includes('a1'), 15_000, 'a1');
    await ok.disconnect();

    const denied = kafka.consumer({ groupId: 'g-no', retry: { retries: 0 } });
    const crashed = new Promise<{ type?: string }>((resolve) => denied.on(denied.events.CRASH, (e) => resolve(e.payload.error as { type?: string })));
    await denied.connect();
    await denied.subscribe({ topic: 'open' });
    await denied.run({ eachMessage: async () => {} }).catch(() => {});
    expect(await crashed).toMatchObject({ type: 'GROUP_AUTHORIZATION_FAILED' });
    await denied.disconnect();
  });

  it('transactional produce: allowed with WRITE on the transactional id, TRANSACTIONAL_ID_AUTHORIZATION_FAILED without', async () => {
    const kafka = client('alice');
    const ok = kafka.producer({ transactionalId: 'tx-ok', idempotent: true, maxInFlightRequests: 1 });
    await ok.connect();
    const txn = await ok.transaction();
    await txn.send({ topic: 'open', messages: [{ value: 'in-txn' }] });
    await txn.commit();
    await ok.disconnect();

    const denied = kafka.producer({ transactionalId: 'tx-no', idempotent: true, maxInFlightRequests: 1 });
    await expect(denied.connect().then(() => denied.transaction())).rejects.toMatchObject({ type: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED' });
    await denied.disconnect();
  });

  it('metadata for all topics lists only what the principal may describe', async () => {
    const admin = client('alice').admin();
    await admin.connect();
    expect(await admin.listTopics()).toEqual(['open']);
    await admin.disconnect();
  });
});

/** A raw connection authenticated as `user` (SASL/PLAIN). */
async function rawAs(user: keyof typeof USERS): Promise<RawClient> {
  const c = await RawClient.connect(cluster.bootstrapServers[0]!);
  await c.call(17, 1, { mechanism: 'PLAIN' });
  expect((await c.call(36, 1, { authBytes: Buffer.from(`\u0000${user}\u0000${USERS[user]}`) })).errorCode).toBe(0);
  return c;
}

describe('admin APIs per resource (raw requests as alice)', () => {
  it('configs need DESCRIBE_CONFIGS / ALTER_CONFIGS, CreatePartitions ALTER on the topic (29) or the cluster (31)', async () => {
    const c = await rawAs('alice');
    // KafkaApis.handleDescribeConfigsRequest / handleAlterConfigsRequest: per resource.
    const described = await c.call(32, 1, { resources: [{ resourceType: 2, resourceName: 'closed', configurationKeys: null }, { resourceType: 4, resourceName: '0', configurationKeys: null }], includeSynonyms: false });
    expect(described.results.map((r: { errorCode: number }) => r.errorCode)).toEqual([29, 31]);
    const altered = await c.call(33, 1, { resources: [{ resourceType: 2, resourceName: 'open', configs: [] }], validateOnly: true });
    expect(altered.responses[0].errorCode).toBe(29);
    const grown = await c.call(37, 1, { topics: [{ name: 'open', count: 2, assignments: null }], timeoutMs: 1000, validateOnly: true });
    expect(grown.results[0].errorCode).toBe(29);
    c.close();
  });

  it('DescribeGroups / DeleteGroups answer GROUP_AUTHORIZATION_FAILED (30) per group; ListGroups shows only describable groups', async () => {
    const c = await rawAs('alice');
    const coordinator = cluster.coordinatorOf('g-no');
    expect(coordinator).toBe(0); // one broker
    const described = await c.call(15, 1, { groups: ['g-no', 'g-ok'] });
    expect(described.groups.map((g: { errorCode: number }) => g.errorCode)).toEqual([30, 0]);
    // READ on g-ok does not allow DELETE.
    expect((await c.call(42, 1, { groupsNames: ['g-ok'] })).results[0].errorCode).toBe(30);
    expect((await c.call(16, 1, {})).groups.map((g: { groupId: string }) => g.groupId)).toEqual(['g-ok']);
    c.close();
  });

  it('OffsetCommit stores allowed topics and answers TOPIC_AUTHORIZATION_FAILED (29) for the others', async () => {
    const c = await rawAs('alice');
    const res = await c.call(8, 2, {
      groupId: 'g-ok', generationIdOrMemberEpoch: -1, memberId: '', retentionTimeMs: -1,
      topics: ['open', 'closed'].map((name) => ({ name, partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] })),
    });
    expect(res.topics.map((t: { name: string; partitions: Array<{ errorCode: number }> }) => [t.name, t.partitions[0]!.errorCode])).toEqual([['open', 0], ['closed', 29]]);
    expect(cluster.committedOffset('g-ok', 'closed', 0)).toBeUndefined();
    c.close();
  });
});

describe('enforcement with kcat', () => {
  const props = kcatProps({ 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'PLAIN', 'sasl.username': 'alice', 'sasl.password': 'alice-pw' });
  const kcatError = (args: string[]): Promise<string> =>
    run(KCAT, ['-b', cluster.bootstrapServers[0]!, ...args, ...props], { timeout: 20_000 }).then(() => '', (e: { stderr: string }) => e.stderr);

  itKcat('produces and consumes where allowed', async () => {
    await kcatProduce(cluster.bootstrapServers, 'open', ['from-kcat'], props);
    expect(await kcatConsume(cluster.bootstrapServers, 'open', props)).toContain('from-kcat');
  });

  itKcat('denied produce and consume report "Topic authorization failed"', async () => {
    await expect(kcatProduce(cluster.bootstrapServers, 'closed', ['x'], props)).rejects.toThrow(/Topic authorization failed/);
    expect(await kcatError(['-C', '-t', 'closed', '-e', '-o', 'beginning'])).toMatch(/Topic authorization failed/);
  });

  itKcat('joins an allowed group and consumes', async () => {
    const { stdout } = await run(KCAT, ['-b', cluster.bootstrapServers[0]!, '-G', 'g-ok', 'open', '-c', '1', '-f', '%s\\n', '-q', '-X', 'auto.offset.reset=earliest', ...props], { timeout: 20_000 });
    expect(stdout.split('\n').filter(Boolean)).toHaveLength(1);
  });

  itKcat('a consumer group without READ reports "Group authorization failed"', async () => {
    expect(await kcatError(['-G', 'g-no', 'open', '-e', '-c', '1', '-X', 'session.timeout.ms=6000'])).toMatch(/Group authorization failed/);
  });
});
