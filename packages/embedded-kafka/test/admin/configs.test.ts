/**
 * Topic and broker configs against what Kafka 3.9 answers. References: the topic and broker
 * config tables of the Kafka documentation (kafka.apache.org/documentation/#topicconfigs,
 * #brokerconfigs, "Updating Broker Configs" for what is dynamic), LogConfig's validators, and
 * DescribeConfigs' ConfigSource / synonyms (KIP-226), INVALID_CONFIG = 40 in the protocol guide.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { startCluster, type EmbeddedCluster } from '../../src/index.js';
import { kafkaClient } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';

let cluster: EmbeddedCluster;
let admin: Admin;
let raw: RawClient;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 2, topics: [{ name: 'cfg', partitions: 1 }] });
  admin = kafkaClient(cluster.bootstrapServers).admin();
  await admin.connect();
  raw = await RawClient.connect(cluster.bootstrapServers[0]!);
});
afterAll(async () => {
  raw?.close();
  await admin?.disconnect();
  await cluster?.stop();
});

const createWith = (name: string, configs: Record<string, string>): Promise<{ errorCode: number; errorMessage: string | null }> =>
  raw
    .call(19, 4, { topics: [{ name, numPartitions: 1, replicationFactor: -1, assignments: [], configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }], timeoutMs: 5000, validateOnly: true })
    .then((r) => r.topics[0]);

describe('topic configs Kafka 2.x clients still send', () => {
  it('are accepted with valid values', async () => {
    const ok = {
      'message.timestamp.difference.max.ms': '86400000',
      'message.downconversion.enable': 'false',
      'message.format.version': '2.8-IV1',
      'leader.replication.throttled.replicas': '0:1,1:0',
      'follower.replication.throttled.replicas': '*',
    };
    expect(await createWith('legacy-ok', ok)).toMatchObject({ errorCode: 0 });
    expect(await createWith('legacy-ok2', { 'message.format.version': '0.10.2', 'leader.replication.throttled.replicas': '' })).toMatchObject({ errorCode: 0 });
  });

  it('are validated like Kafka: bad values get INVALID_CONFIG (40)', async () => {
    for (const [name, value] of [
      ['message.timestamp.difference.max.ms', '-1'], // atLeast(0)
      ['message.timestamp.difference.max.ms', 'soon'],
      ['message.downconversion.enable', 'yes'], // BOOLEAN
      ['message.format.version', '9.9'], // not a MetadataVersion
      ['leader.replication.throttled.replicas', '0-1'], // ThrottledReplicaListValidator
    ] as const) {
      expect(await createWith('legacy-bad', { [name]: value }), `${name}=${value}`).toMatchObject({ errorCode: 40 });
    }
  });

  it('are described with their defaults', async () => {
    const res = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configNames: ['message.downconversion.enable', 'message.format.version'] }], includeSynonyms: false });
    expect(res.resources[0]!.configEntries.map((e) => [e.configName, e.configValue, e.isDefault])).toEqual([
      ['message.downconversion.enable', 'true', true],
      ['message.format.version', '3.0-IV1', true],
    ]);
  });
});

describe('dynamic broker configs (AlterConfigs on a BROKER resource)', () => {
  it('a per-broker and a cluster-wide value are accepted; static configs are refused with INVALID_CONFIG', async () => {
    const alter = (name: string, configs: Array<{ name: string; value: string }>): Promise<{ errorCode: number }> =>
      raw.call(33, 1, { resources: [{ resourceType: 4, resourceName: name, configs }], validateOnly: false }).then((r) => r.responses[0]);
    expect(await alter('1', [{ name: 'log.retention.ms', value: '3600000' }])).toMatchObject({ errorCode: 0 });
    expect(await alter('', [{ name: 'log.retention.ms', value: '7200000' }, { name: 'num.io.threads', value: '4' }])).toMatchObject({ errorCode: 0 });
    // DynamicBrokerConfig: broker.id, num.partitions, auto.create.topics.enable cannot change without a restart.
    expect(await alter('0', [{ name: 'num.partitions', value: '3' }])).toMatchObject({ errorCode: 40 });
    expect(await alter('0', [{ name: 'log.retention.ms', value: 'later' }])).toMatchObject({ errorCode: 40 });
    // An unknown broker id is an invalid request (42).
    expect(await alter('7', [{ name: 'log.retention.ms', value: '1' }])).toMatchObject({ errorCode: 42 });
  });

  it('KafkaJS can alter a broker config and DescribeConfigs reports it as DYNAMIC_BROKER_CONFIG (2), writable', async () => {
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [{ name: 'log.retention.ms', value: '3600000' }] }] });
    const res = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: ['log.retention.ms', 'broker.id'] }], includeSynonyms: false });
    const byName = Object.fromEntries(res.resources[0]!.configEntries.map((e) => [e.configName, e]));
    expect(byName['log.retention.ms']).toMatchObject({ configValue: '3600000', configSource: 2, readOnly: false });
    expect(byName['broker.id']).toMatchObject({ configValue: '1', readOnly: true });
  });
});

describe('DescribeConfigs synonyms', () => {
  it('without includeSynonyms there are none; with it, every source in precedence order', async () => {
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configEntries: [{ name: 'retention.ms', value: '60000' }] }] });
    const describeOn = async (brokerIndex: number, includeSynonyms: boolean): Promise<any> => {
      const c = await RawClient.connect(cluster.bootstrapServers[brokerIndex]!);
      const res = await c.call(32, 2, { resources: [{ resourceType: 2, resourceName: 'cfg', configurationKeys: ['retention.ms'] }], includeSynonyms });
      c.close();
      return res.results[0].configs[0];
    };
    expect((await describeOn(1, false)).synonyms).toEqual([]);
    const entry = await describeOn(1, true);
    expect(entry).toMatchObject({ name: 'retention.ms', value: '60000', configSource: 1, isDefault: false });
    // Topic override, then broker 1's own dynamic log.retention.ms, the cluster-wide one, and the default.
    expect(entry.synonyms).toEqual([
      { name: 'retention.ms', value: '60000', source: 1 },
      { name: 'log.retention.ms', value: '3600000', source: 2 },
      { name: 'log.retention.ms', value: '7200000', source: 3 },
      { name: 'log.retention.ms', value: '604800000', source: 5 },
    ]);
    // Broker 0 has no per-broker value: the cluster-wide one follows the topic override.
    expect((await describeOn(0, true)).synonyms.map((s: { source: number }) => s.source)).toEqual([1, 3, 5]);
  });

  it('a topic without an override inherits the cluster-wide dynamic value (source DYNAMIC_DEFAULT_BROKER_CONFIG)', async () => {
    await cluster.createTopic('inherits', 1);
    const res = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'inherits', configNames: ['retention.ms'] }], includeSynonyms: true });
    expect(res.resources[0]!.configEntries[0]).toMatchObject({ configValue: '7200000', configSource: 3, isDefault: false });
  });
});
