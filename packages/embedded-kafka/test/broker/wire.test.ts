import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRecordBatch, decodeResponse, decodeRecords } from '../../src/protocol/index.js';
import { startCluster, type EmbeddedCluster } from '../../src/index.js';
import { RawClient } from '../support/raw-client.js';

let cluster: EmbeddedCluster;
beforeAll(async () => {
  cluster = await startCluster({ brokers: 2, topics: [{ name: 'w', partitions: 2 }] });
});
afterAll(async () => {
  await cluster.stop();
});

const batch = (values: string[], opts: { producerId?: number; baseSequence?: number } = {}): Buffer =>
  buildRecordBatch({ baseOffset: 0, records: values.map((v) => ({ key: null, value: Buffer.from(v), timestampMs: Date.now() })), ...opts });

const produceBody = (partition: number, records: Buffer, acks = -1) => ({ transactionalId: null, acks, timeoutMs: 1000, topicData: [{ name: 'w', partitionData: [{ index: partition, records }] }] });

describe('broker wire behaviour', () => {
  it('answers an unsupported ApiVersions version with error 35 in the v0 layout', async () => {
    const c = await RawClient.connect(cluster.bootstrapServers[0]!);
    const body = await c.call(18, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
    expect(body.errorCode).toBe(0);
    expect(body.apiKeys.find((k: any) => k.apiKey === 3)).toEqual({ apiKey: 3, minVersion: 0, maxVersion: 12 });
    expect(body.apiKeys.every((k: any) => k.minVersion === 0)).toBe(true);
    // v4 is above what the broker advertises: the reply is v0-shaped with error 35.
    c.send(18, 4, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
    const frame = (await c.nextFrame())!;
    const v0 = decodeResponse(18, 0, frame).body;
    expect(v0.errorCode).toBe(35);
    expect(v0.apiKeys.find((k: any) => k.apiKey === 18).maxVersion).toBe(3);
    c.close();
  });

  it('answers Metadata v12 and Fetch v12 (flexible versions, as @platformatic/kafka sends them)', async () => {
    await cluster.createTopic('w12', 2); // its own topic: the other tests count the records of 'w'
    const leader = cluster.leaderOf('w12', 1);
    const c = await RawClient.connect(cluster.bootstrapServers[leader]!);
    const meta = await c.call(3, 12, { topics: [{ topicId: Buffer.alloc(16), name: 'w12' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    expect(meta.brokers.map((b: any) => b.nodeId).sort()).toEqual([0, 1]);
    expect(meta.topics[0]).toMatchObject({ errorCode: 0, name: 'w12' });
    expect(meta.topics[0].partitions.map((p: any) => [p.partitionIndex, p.leaderId])).toEqual([
      [0, cluster.leaderOf('w12', 0)],
      [1, leader],
    ]);
    const produced = await c.call(0, 7, { ...produceBody(1, batch(['v12-a', 'v12-b'])), topicData: [{ name: 'w12', partitionData: [{ index: 1, records: batch(['v12-a', 'v12-b']) }] }] });
    const base = Number(produced.responses[0].partitionResponses[0].baseOffset);
    const fetched = await c.call(1, 12, {
      replicaId: -1,
      maxWaitMs: 100,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: 'w12', partitions: [{ partition: 1, currentLeaderEpoch: -1, fetchOffset: base, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [],
      rackId: '',
    });
    const part = fetched.responses[0].partitions[0];
    expect(part.errorCode).toBe(0);
    expect(decodeRecords(part.records).map((r: any) => r.value.toString())).toEqual(['v12-a', 'v12-b']);
    c.close();
  });

  it('closes the connection on an unknown API key', async () => {
    const c = await RawClient.connect(cluster.bootstrapServers[0]!);
    const frame = Buffer.alloc(14);
    frame.writeInt32BE(10, 0);
    frame.writeInt16BE(999, 4); // api key
    frame.writeInt16BE(0, 6);
    frame.writeInt32BE(1, 8);
    frame.writeInt16BE(-1, 12); // null client id
    c.sendRaw(frame);
    expect(await c.nextFrame()).toBeNull();
  });

  it('validates produced batches and routes to leaders', async () => {
    const leader = cluster.leaderOf('w', 0);
    const other = await RawClient.connect(cluster.bootstrapServers[1 - leader]!);
    const notLeader = await other.call(0, 7, produceBody(0, batch(['x'])));
    expect(notLeader.responses[0].partitionResponses[0].errorCode).toBe(6);
    other.close();

    const c = await RawClient.connect(cluster.bootstrapServers[leader]!);
    const ok = await c.call(0, 7, produceBody(0, batch(['a', 'b'])));
    expect(ok.responses[0].partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 0 });

    const corrupt = batch(['c']);
    corrupt[corrupt.length - 1] ^= 0xff;
    expect((await c.call(0, 7, produceBody(0, corrupt))).responses[0].partitionResponses[0].errorCode).toBe(2);

    const two = Buffer.concat([batch(['d']), batch(['e'])]);
    expect((await c.call(0, 7, produceBody(0, two))).responses[0].partitionResponses[0].errorCode).toBe(87);

    const unknown = await c.call(0, 7, { ...produceBody(0, batch(['f'])), topicData: [{ name: 'nope', partitionData: [{ index: 0, records: batch(['f']) }] }] });
    expect(unknown.responses[0].partitionResponses[0].errorCode).toBe(3);

    // acks=0: no response at all; the next request's answer comes first.
    c.send(0, 7, produceBody(0, batch(['g']), 0));
    const meta = await c.call(3, 1, { topics: [{ name: 'w' }] });
    expect(meta.topics[0].partitions).toHaveLength(2);
    expect(cluster.highWatermarks('w')[0]).toBe(3);
    c.close();
  });

  it('keeps responses in request order while a Fetch long-polls', async () => {
    const leader = cluster.leaderOf('w', 1);
    const c = await RawClient.connect(cluster.bootstrapServers[leader]!);
    const fetchBody = { replicaId: -1, maxWaitMs: 400, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic: 'w', partitions: [{ partition: 1, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [], rackId: '' };
    const t0 = Date.now();
    const fetchId = c.send(1, 11, fetchBody);
    const metaId = c.send(3, 1, { topics: null });
    const first = decodeResponse(1, 11, (await c.nextFrame())!);
    const second = decodeResponse(3, 1, (await c.nextFrame())!);
    expect([first.correlationId, second.correlationId]).toEqual([fetchId, metaId]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350); // the fetch waited for data that never came
    expect(first.body.responses[0].partitions[0]).toMatchObject({ errorCode: 0, highWatermark: 0, preferredReadReplica: -1 });

    // A fetch waiting on an empty partition answers as soon as data arrives.
    const p = await RawClient.connect(cluster.bootstrapServers[leader]!);
    const t1 = Date.now();
    c.send(1, 11, { ...fetchBody, maxWaitMs: 5000 });
    await new Promise((r) => setTimeout(r, 100));
    await p.call(0, 7, produceBody(1, batch(['late'])));
    const woke = decodeResponse(1, 11, (await c.nextFrame())!).body;
    expect(Date.now() - t1).toBeLessThan(2000);
    const records = woke.responses[0].partitions[0].records as Buffer;
    expect(decodeRecords(records).map((r) => r.value!.toString())).toEqual(['late']);
    p.close();
    c.close();
  });

  it('waits for minBytes across partitions and answers when enough data arrived', async () => {
    await cluster.createTopic('minbytes', 2);
    const leaders = [0, 1].map((p) => cluster.leaderOf('minbytes', p));
    const broker = leaders[0]!;
    cluster.moveLeader('minbytes', 1, broker); // both partitions on one broker, one Fetch
    const c = await RawClient.connect(cluster.bootstrapServers[broker]!);
    const first = batch(['x'.repeat(100)]);
    await c.call(0, 7, { ...produceBody(0, first), topicData: [{ name: 'minbytes', partitionData: [{ index: 0, records: first }] }] });
    const fetchBody = {
      replicaId: -1, maxWaitMs: 5000, minBytes: first.length * 2, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'minbytes', partitions: [0, 1].map((partition) => ({ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 })) }], forgottenTopicsData: [], rackId: '',
    };
    const t0 = Date.now();
    c.send(1, 11, fetchBody);
    await new Promise((r) => setTimeout(r, 200));
    const p = await RawClient.connect(cluster.bootstrapServers[broker]!);
    const second = batch(['y'.repeat(100)]);
    await p.call(0, 7, { ...produceBody(0, second), topicData: [{ name: 'minbytes', partitionData: [{ index: 1, records: second }] }] });
    const body = decodeResponse(1, 11, (await c.nextFrame())!).body;
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(3000);
    expect(body.responses[0].partitions.map((x: any) => (x.records as Buffer).length)).toEqual([first.length, second.length]);
    p.close();
    c.close();
  });

  it('down-converts to legacy message sets for Fetch v0-3 and up-converts Produce v0-2', async () => {
    const leader = cluster.leaderOf('w', 1);
    const c = await RawClient.connect(cluster.bootstrapServers[leader]!);
    const { buildLegacyMessageSet, readLegacyMessageSet } = await import('../../src/protocol/index.js');
    const legacy = buildLegacyMessageSet([{ offset: 0, key: Buffer.from('k'), value: Buffer.from('old'), timestamp: Date.now() }], 1);
    const res = await c.call(0, 2, { acks: -1, timeoutMs: 1000, topicData: [{ name: 'w', partitionData: [{ index: 1, records: legacy }] }] });
    expect(res.responses[0].partitionResponses[0].errorCode).toBe(0);
    const fetched = await c.call(1, 2, { replicaId: -1, maxWaitMs: 0, minBytes: 0, topics: [{ topic: 'w', partitions: [{ partition: 1, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }] });
    const msgs = readLegacyMessageSet(fetched.responses[0].partitions[0].records);
    expect(msgs.map((m) => m.value!.toString())).toEqual(['late', 'old']);
    c.close();
  });

  it('answers ListOffsets for latest, earliest and a timestamp', async () => {
    await cluster.createTopic('offsets', 1);
    const c = await RawClient.connect(cluster.bootstrapServers[cluster.leaderOf('offsets', 0)]!);
    const records = buildRecordBatch({ baseOffset: 0, records: [1000, 2000, 3000].map((timestampMs) => ({ key: null, value: Buffer.from('v'), timestampMs })) });
    await c.call(0, 7, { ...produceBody(0, records), topicData: [{ name: 'offsets', partitionData: [{ index: 0, records }] }] });
    const list = async (timestamp: number, isolationLevel = 0) =>
      (await c.call(2, 2, { replicaId: -1, isolationLevel, topics: [{ name: 'offsets', partitions: [{ partitionIndex: 0, timestamp }] }] })).topics[0].partitions[0];
    expect(await list(-1)).toMatchObject({ errorCode: 0, offset: 3, timestamp: -1 });
    expect(await list(-1, 1)).toMatchObject({ errorCode: 0, offset: 3, timestamp: -1 });
    expect(await list(-2)).toMatchObject({ errorCode: 0, offset: 0, timestamp: -1 });
    expect(await list(1500)).toMatchObject({ errorCode: 0, offset: 1, timestamp: 2000 });
    expect(await list(5000)).toMatchObject({ errorCode: 0, offset: -1, timestamp: -1 });
    c.close();
  });
});
