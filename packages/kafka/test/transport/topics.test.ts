/**
 * Topic administration through the transport (`createTopics`, `deleteTopics`) on both adapters,
 * checked with an independent client (the KafkaJS admin). Runs against `WEIR_KAFKA_BROKERS` when
 * set (topic names are unique per run, and the topics are deleted afterwards).
 */

import { testCluster, type TestKafkaTarget } from '@weir/embedded-kafka';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaTransportError, type KafkaTransport } from '../../src/index.js';
import { settleTopics } from '../../src/transport/topic-admin.js';
import { adapters, transportFor } from '../adapters.js';

let cluster: TestKafkaTarget;
let admin: Admin;
const run = `ta${Date.now().toString(36)}`;
const made: string[] = [];

beforeAll(async () => {
  cluster = await testCluster({ brokers: 3 });
  admin = new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});
afterAll(async () => {
  if (cluster?.external) {
    const left = new Set(await admin.listTopics());
    await admin.deleteTopics({ topics: made.filter((t) => left.has(t)) }).catch(() => undefined);
  }
  await admin?.disconnect();
  await cluster?.stop();
});

async function partitionsOf(topic: string): Promise<Array<{ partitionId: number; leader: number }>> {
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  return meta.topics[0]!.partitions;
}

async function withTransport(adapter: (typeof adapters)[number], fn: (t: KafkaTransport) => Promise<void>): Promise<void> {
  const t = transportFor(adapter, cluster.bootstrapServers);
  try {
    await t.connect();
    await fn(t);
  } finally {
    await t.close();
  }
}

describe.each(adapters)('topic administration through the transport (%s)', (adapter) => {
  const name = (what: string) => {
    const topic = `${run}-${adapter}-${what}`;
    made.push(topic);
    return topic;
  };

  it('creates new topics with their partitions, replication factor and configs; every partition has a leader when it resolves', async () => {
    const a = name('new-a');
    const b = name('new-b');
    await withTransport(adapter, async (t) => {
      const res = await t.createTopics([
        { topic: a, partitions: 3, replicationFactor: 1 },
        { topic: b, partitions: 2, configs: { 'retention.ms': '3600000', 'cleanup.policy': 'delete' } },
      ]);
      expect(res).toEqual([
        { topic: a, created: true, partitions: 3 },
        { topic: b, created: true, partitions: 2 },
      ]);
      // usable at once through the same transport
      expect(t.partitionLeaders(a)).toHaveLength(3);
      expect(t.partitionLeaders(a).every((l) => l >= 0)).toBe(true);
      expect(await t.partitionCounts([a, b])).toEqual(new Map([[a, 3], [b, 2]]));
    });
    const pa = await partitionsOf(a);
    expect(pa).toHaveLength(3);
    expect(pa.every((p) => (p as { replicas?: number[] }).replicas?.length === 1)).toBe(true);
    const described = await admin.describeConfigs({ resources: [{ type: 2, name: b, configNames: ['retention.ms'] }], includeSynonyms: false });
    expect(described.resources[0]!.configEntries.find((e) => e.configName === 'retention.ms')?.configValue).toBe('3600000');
  }, 30_000);

  it('an existing topic with as many or more partitions is no error: created false, its own count', async () => {
    const topic = name('exists');
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
    await withTransport(adapter, async (t) => {
      expect(await t.createTopics([{ topic, partitions: 4 }])).toEqual([{ topic, created: false, partitions: 4 }]);
      expect(await t.createTopics([{ topic, partitions: 2 }])).toEqual([{ topic, created: false, partitions: 4 }]);
    });
    expect(await partitionsOf(topic)).toHaveLength(4);
  }, 30_000);

  it('an existing topic with fewer partitions fails with an error naming the topic and both counts', async () => {
    const topic = name('fewer');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await withTransport(adapter, async (t) => {
      const err = await t.createTopics([{ topic, partitions: 8 }]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KafkaTransportError);
      expect(err).toMatchObject({ type: 'TOPIC_ALREADY_EXISTS', retriable: false });
      expect((err as Error).message).toContain(`topic ${topic} exists with 2 partitions, 8 are required`);
    });
    expect(await partitionsOf(topic)).toHaveLength(2);
  }, 30_000);

  it("a replication factor the cluster cannot meet fails with the broker's error, not retriable, naming the topic", async () => {
    const topic = name('bad-rf');
    await withTransport(adapter, async (t) => {
      const err = await t.createTopics([{ topic, partitions: 1, replicationFactor: 1000 }]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KafkaTransportError);
      expect(err).toMatchObject({ type: 'INVALID_REPLICATION_FACTOR', retriable: false });
      expect((err as Error).message).toContain(`CreateTopics(${topic}, 1 partitions, replication factor 1000) failed: INVALID_REPLICATION_FACTOR`);
    });
    expect(await admin.listTopics()).not.toContain(topic);
  }, 30_000);

  it('two transports ensuring the same topic at once: both succeed, one of them created it', async () => {
    const topic = name('race');
    const results: boolean[] = [];
    await withTransport(adapter, (one) =>
      withTransport(adapter, async (two) => {
        const [x, y] = await Promise.all([one.createTopics([{ topic, partitions: 3 }]), two.createTopics([{ topic, partitions: 3 }])]);
        results.push(x[0]!.created, y[0]!.created);
        expect([x[0]!.partitions, y[0]!.partitions]).toEqual([3, 3]);
      }),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  }, 30_000);

  it('after CreateTopics, waits through retriable metadata errors (a new topic is LEADER_NOT_AVAILABLE at first on a real cluster); other errors fail at once', async () => {
    const topic = name('settle');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: false });
    await withTransport(adapter, async (t) => {
      let refreshes = 0;
      let failWith: Error | undefined = new KafkaTransportError('Metadata failed: LEADER_NOT_AVAILABLE', 'LEADER_NOT_AVAILABLE', true);
      const flaky: KafkaTransport = Object.assign(Object.create(t) as KafkaTransport, {
        refreshMetadata: async (topics?: string[]) => {
          if (++refreshes <= 2 && failWith !== undefined) throw failWith;
          return t.refreshMetadata(topics);
        },
      });
      expect(await settleTopics(flaky, [{ topic, partitions: 2 }], new Set(), 10_000)).toEqual([{ topic, created: true, partitions: 2 }]);
      expect(refreshes).toBeGreaterThanOrEqual(3);
      refreshes = 0;
      failWith = new KafkaTransportError('Metadata failed: TOPIC_AUTHORIZATION_FAILED', 'TOPIC_AUTHORIZATION_FAILED', false);
      await expect(settleTopics(flaky, [{ topic, partitions: 2 }], new Set(), 10_000)).rejects.toBe(failWith);
      expect(refreshes).toBe(1);
    });
  }, 30_000);

  it('deletes the topics that exist, names them, ignores missing ones; the transport keeps working afterwards', async () => {
    const gone = name('delete-me');
    const kept = name('keep');
    const missing = `${run}-${adapter}-never-created`;
    await withTransport(adapter, async (t) => {
      await t.createTopics([
        { topic: gone, partitions: 2 },
        { topic: kept, partitions: 1 },
      ]);
      await t.refreshMetadata([gone, kept]); // tracked by the transport, as a sink's topics are
      expect(await t.deleteTopics([gone, missing])).toEqual([gone]);
      expect(await t.deleteTopics([missing])).toEqual([]);
      // deletion is asynchronous on a real cluster
      const end = Date.now() + 10_000;
      while ((await admin.listTopics()).includes(gone) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      expect(await admin.listTopics()).not.toContain(gone);
      expect(await t.deleteTopics([gone])).toEqual([]);
      await t.refreshMetadata();
      expect(t.partitionLeaders(gone)).toEqual([]);
      expect(await t.listOffsets(kept, 'latest')).toEqual(new Map([[0, '0']]));
    });
  }, 30_000);
});

// fault injection needs the embedded cluster
describe.skipIf(!!process.env.WEIR_KAFKA_BROKERS).each(adapters)('topic administration when the broker fails a request (%s)', (adapter) => {
  it('CreateTopics and DeleteTopics answered NOT_CONTROLLER once are sent again and succeed', async () => {
    const embedded = cluster;
    if (embedded.external) throw new Error('needs the embedded cluster');
    const topic = `${run}-${adapter}-not-controller`;
    embedded.failRequests({ apiKey: 19, errorCode: 41, times: 1 });
    await withTransport(adapter, async (t) => {
      expect(await t.createTopics([{ topic, partitions: 2 }])).toEqual([{ topic, created: true, partitions: 2 }]);
      embedded.failRequests({ apiKey: 20, errorCode: 41, times: 1 });
      expect(await t.deleteTopics([topic])).toEqual([topic]);
    });
    embedded.clearFaults();
    expect(await admin.listTopics()).not.toContain(topic);
  }, 30_000);

  it('a lost CreateTopics acknowledgement (created, answered REQUEST_TIMED_OUT) is sent again and finds the topic', async () => {
    const embedded = cluster;
    if (embedded.external) throw new Error('needs the embedded cluster');
    const topic = `${run}-${adapter}-lost-ack`;
    embedded.failRequests({ apiKey: 19, errorCode: 7, times: 1, afterHandling: true });
    await withTransport(adapter, async (t) => {
      // the retry cannot tell its own creation from another client's: it reports the topic as existing
      expect(await t.createTopics([{ topic, partitions: 3 }])).toEqual([{ topic, created: false, partitions: 3 }]);
    });
    embedded.clearFaults();
    expect(await partitionsOf(topic)).toHaveLength(3);
  }, 30_000);
});
