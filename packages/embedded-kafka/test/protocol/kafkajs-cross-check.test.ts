/**
 * Cross-check against the real client: KafkaJS 2.2.4's own request encoders must be readable by
 * decodeRequest, and its response decoders must read what encodeResponse writes.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  ApiKeys,
  buildRecordBatch,
  buildLegacyMessageSet,
  decodeRecords,
  decodeRequest,
  decodeRequestHeader,
  encodeResponse,
  ErrorCodes,
  readBatchHeaders,
  readLegacyMessageSet,
} from '../../src/protocol/index.js';

const require = createRequire(import.meta.url);
const kjs = (path: string) => require(`kafkajs/src/${path}`);
const createRequest = kjs('protocol/request.js');
const Long = kjs('utils/long.js');

/** Encode a request with KafkaJS and decode it with our codec. */
async function viaKafkaJs(request: any, correlationId = 11): Promise<{ header: ReturnType<typeof decodeRequestHeader>; body: any }> {
  const encoded = await createRequest({ correlationId, clientId: 'kafkajs-client', request });
  const sized: Buffer = encoded.buffer;
  expect(sized.readInt32BE(0)).toBe(sized.length - 4);
  const frame = sized.subarray(4);
  const header = decodeRequestHeader(frame);
  expect(header).toMatchObject({ apiKey: request.apiKey, apiVersion: request.apiVersion, correlationId, clientId: 'kafkajs-client' });
  return { header, body: decodeRequest(header.apiKey, header.apiVersion, frame, header.headerLength) };
}

/** Encode a response with our codec and decode it with KafkaJS (payload = bytes after the correlation id). */
async function decodeWithKafkaJs(responseModule: string, apiKey: number, version: number, body: object): Promise<any> {
  const out = encodeResponse(apiKey, version, 99, body);
  expect(out.readInt32BE(4)).toBe(99);
  const { decode, parse } = kjs(responseModule);
  const decoded = await decode(out.subarray(8));
  return parse ? parse(decoded) : decoded;
}

describe('KafkaJS requests decode with our codec', () => {
  it('Produce v3 (transactional, record batch with headers)', async () => {
    const request = kjs('protocol/requests/produce/v3/request.js')({
      acks: -1,
      timeout: 30000,
      transactionalId: 'tx-1',
      producerId: Long.fromNumber(123456789012),
      producerEpoch: 3,
      topicData: [
        {
          topic: 'orders',
          partitions: [
            {
              partition: 2,
              firstSequence: 17,
              messages: [
                { key: 'k1', value: 'v1', timestamp: 1700000000000, headers: { h1: 'x' } },
                { key: null, value: 'v2', timestamp: 1700000000005 },
              ],
            },
          ],
        },
      ],
    });
    const { body } = await viaKafkaJs(request);
    expect(body).toMatchObject({ transactionalId: 'tx-1', acks: -1, timeoutMs: 30000 });
    expect(body.topicData).toHaveLength(1);
    expect(body.topicData[0].name).toBe('orders');
    const part = body.topicData[0].partitionData[0];
    expect(part.index).toBe(2);
    const [h, ...rest] = readBatchHeaders(part.records);
    expect(rest).toHaveLength(0);
    expect(h).toMatchObject({
      magic: 2,
      crcValid: true,
      producerId: 123456789012,
      producerEpoch: 3,
      baseSequence: 17,
      recordCount: 2,
      lastOffsetDelta: 1,
      isTransactional: true,
      isControl: false,
      compression: 0,
      baseTimestamp: 1700000000000,
      maxTimestamp: 1700000000005,
      byteLength: part.records.length,
    });
    const records = decodeRecords(part.records);
    expect(records.map((r) => [r.offset, r.timestampMs, r.key?.toString() ?? null, r.value?.toString()])).toEqual([
      [0, 1700000000000, 'k1', 'v1'],
      [1, 1700000000005, null, 'v2'],
    ]);
    expect(records[0]!.headers.map((x) => [x.key, x.value?.toString()])).toEqual([['h1', 'x']]);
  });

  it('Fetch v4', async () => {
    const request = kjs('protocol/requests/fetch/v4/request.js')({
      replicaId: -1,
      maxWaitTime: 500,
      minBytes: 1,
      maxBytes: 10485760,
      isolationLevel: 1,
      topics: [{ topic: 'orders', partitions: [{ partition: 0, fetchOffset: '9007199254740000', maxBytes: 1048576 }] }],
    });
    const { body } = await viaKafkaJs(request);
    expect(body).toEqual({
      clusterId: null,
      replicaId: -1,
      replicaState: { replicaId: -1, replicaEpoch: -1 },
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 10485760,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 'orders',
          topicId: Buffer.alloc(16),
          partitions: [
            { partition: 0, currentLeaderEpoch: -1, fetchOffset: 9007199254740000, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1048576, replicaDirectoryId: Buffer.alloc(16) },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
  });

  it('Metadata v4 (topic list and auto-creation flag)', async () => {
    const { body } = await viaKafkaJs(kjs('protocol/requests/metadata/v4/request.js')({ topics: ['a', 'b'], allowAutoTopicCreation: false }));
    expect(body.topics.map((t: any) => t.name)).toEqual(['a', 'b']);
    expect(body.allowAutoTopicCreation).toBe(false);
    // KafkaJS sends an empty list as null, meaning "all topics"
    const all = await viaKafkaJs(kjs('protocol/requests/metadata/v4/request.js')({ topics: [] }));
    expect(all.body.topics === null || all.body.topics.length === 0).toBe(true);
  });

  it('JoinGroup v2', async () => {
    const metadata = Buffer.from([0, 1, 0, 0, 0, 1, 0, 6, 111, 114, 100, 101, 114, 115]);
    const request = kjs('protocol/requests/joinGroup/v2/request.js')({
      groupId: 'g1',
      sessionTimeout: 30000,
      rebalanceTimeout: 60000,
      memberId: '',
      protocolType: 'consumer',
      groupProtocols: [{ name: 'RoundRobinAssigner', metadata }],
    });
    const { body } = await viaKafkaJs(request);
    expect(body).toEqual({
      groupId: 'g1',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 60000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'RoundRobinAssigner', metadata }],
      reason: null,
    });
  });

  it('ApiVersions v2 (empty body, header v1)', async () => {
    const { header, body } = await viaKafkaJs(kjs('protocol/requests/apiVersions/v2/request.js')());
    expect(header.apiKey).toBe(ApiKeys.ApiVersions);
    expect(body).toEqual({ clientSoftwareName: '', clientSoftwareVersion: '' });
  });

  it('Produce v2 with gzip (legacy message set, magic 1 wrapper)', async () => {
    const request = kjs('protocol/requests/produce/v2/request.js')({
      acks: 1,
      timeout: 1000,
      compression: 1,
      topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'a', value: 'one', timestamp: 1600000000000 }, { key: 'b', value: 'two', timestamp: 1600000000001 }] }] }],
    });
    const { body } = await viaKafkaJs(request);
    const set: Buffer = body.topicData[0].partitionData[0].records;
    const messages = readLegacyMessageSet(set);
    // Producers do not know offsets (KafkaJS leaves the wrapper at 0): only the order matters here.
    const first = messages[0]!.offset;
    expect(messages.map((m) => [m.offset - first, m.magic, m.timestamp, m.key?.toString(), m.value?.toString()])).toEqual([
      [0, 1, 1600000000000, 'a', 'one'],
      [1, 1, 1600000000001, 'b', 'two'],
    ]);
    // the header view sees one legacy wrapper with gzip compression
    expect(readBatchHeaders(set, true)).toMatchObject([{ magic: 1, compression: 1, crcValid: true }]);
  });
});

describe('KafkaJS response decoders read our responses', () => {
  it('ApiVersions v2', async () => {
    const apiKeys = [
      { apiKey: 0, minVersion: 0, maxVersion: 7 },
      { apiKey: 18, minVersion: 0, maxVersion: 3 },
    ];
    const res = await decodeWithKafkaJs('protocol/requests/apiVersions/v2/response.js', 18, 2, { errorCode: 0, apiKeys });
    expect(res.errorCode).toBe(0);
    expect(res.apiVersions).toEqual(apiKeys);
  });

  it('Metadata v4', async () => {
    const res = await decodeWithKafkaJs('protocol/requests/metadata/v4/response.js', 3, 4, {
      brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }],
      clusterId: 'weir',
      controllerId: 1,
      topics: [{ errorCode: 0, name: 'orders', isInternal: false, partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1] }] }],
    });
    expect(res.brokers).toEqual([{ nodeId: 1, host: 'localhost', port: 9092, rack: null }]);
    expect(res.clusterId).toBe('weir');
    expect(res.controllerId).toBe(1);
    expect(res.topicMetadata).toEqual([
      {
        topicErrorCode: 0,
        topic: 'orders',
        isInternal: false,
        partitionMetadata: [{ partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1], isr: [1], offlineReplicas: undefined }].map(
          ({ offlineReplicas: _o, ...p }) => p,
        ),
      },
    ]);
  });

  it('Fetch v4 with a record batch and an aborted transaction', async () => {
    const records = buildRecordBatch({
      baseOffset: 40,
      records: [
        { key: Buffer.from('k'), value: Buffer.from('hello'), timestampMs: 1700000000000, headers: [{ key: 'h', value: Buffer.from('v') }] },
        { key: null, value: Buffer.from('world'), timestampMs: 1700000000001 },
      ],
    });
    const res = await decodeWithKafkaJs('protocol/requests/fetch/v4/response.js', 1, 4, {
      responses: [
        {
          topic: 'orders',
          partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 42, lastStableOffset: 42, abortedTransactions: [{ producerId: 7, firstOffset: 3 }], records }],
        },
      ],
    });
    const p = res.responses[0].partitions[0];
    expect(p).toMatchObject({ partition: 0, errorCode: 0, highWatermark: '42', lastStableOffset: '42', abortedTransactions: [{ producerId: '7', firstOffset: '3' }] });
    expect(p.messages.map((m: any) => [m.offset, m.key?.toString() ?? null, m.value.toString(), m.timestamp])).toEqual([
      ['40', 'k', 'hello', '1700000000000'],
      ['41', null, 'world', '1700000000001'],
    ]);
    expect(p.messages[0].headers.h.toString()).toBe('v');
  });

  it('Fetch v3 with a legacy message set (down-conversion)', async () => {
    const set = buildLegacyMessageSet(
      [
        { offset: 5, key: Buffer.from('a'), value: Buffer.from('x'), timestamp: 1500000000000 },
        { offset: 6, key: null, value: Buffer.from('y'), timestamp: 1500000000001 },
      ],
      1,
    );
    const res = await decodeWithKafkaJs('protocol/requests/fetch/v3/response.js', 1, 3, {
      responses: [{ topic: 't', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 7, records: set }] }],
    });
    const msgs = res.responses[0].partitions[0].messages;
    expect(msgs.map((m: any) => [m.offset, m.key?.toString() ?? null, m.value.toString(), m.timestamp, m.magicByte])).toEqual([
      ['5', 'a', 'x', '1500000000000', 1],
      ['6', null, 'y', '1500000000001', 1],
    ]);
  });

  it('Produce v3', async () => {
    const res = await decodeWithKafkaJs('protocol/requests/produce/v3/response.js', 0, 3, {
      responses: [{ name: 'orders', partitionResponses: [{ index: 2, errorCode: 0, baseOffset: 100, logAppendTimeMs: -1 }] }],
    });
    expect(res.topics).toEqual([{ topicName: 'orders', partitions: [{ partition: 2, errorCode: 0, baseOffset: '100', logAppendTime: '-1' }] }]);
    expect(res.throttleTime).toBe(0);
  });

  it('JoinGroup v2', async () => {
    const res = await decodeWithKafkaJs('protocol/requests/joinGroup/v2/response.js', 11, 2, {
      generationId: 4,
      protocolName: 'RoundRobinAssigner',
      leader: 'm-1',
      memberId: 'm-1',
      members: [{ memberId: 'm-1', metadata: Buffer.from([1, 2, 3]) }],
    });
    expect(res).toMatchObject({ errorCode: 0, generationId: 4, groupProtocol: 'RoundRobinAssigner', leaderId: 'm-1', memberId: 'm-1' });
    expect(res.members).toEqual([{ memberId: 'm-1', memberMetadata: Buffer.from([1, 2, 3]) }]);
  });

  it('decodes our records exactly as the batch we built', () => {
    const batch = buildRecordBatch({ baseOffset: 0, records: [{ key: null, value: Buffer.from('z'), timestampMs: 1 }] });
    expect(decodeRecords(batch)[0]!.value!.toString()).toBe('z');
  });
});

describe('ErrorCodes', () => {
  it('agree with the codes KafkaJS knows (names as in Errors.java)', () => {
    const { errorCodes } = kjs('protocol/error.js') as { errorCodes: Array<{ type: string; code: number }> };
    // KafkaJS keeps the old names of codes Kafka has since renamed
    const renamed: Record<string, string> = {
      UNKNOWN: 'UNKNOWN_SERVER_ERROR',
      NOT_LEADER_FOR_PARTITION: 'NOT_LEADER_OR_FOLLOWER',
      GROUP_LOAD_IN_PROGRESS: 'COORDINATOR_LOAD_IN_PROGRESS',
      GROUP_COORDINATOR_NOT_AVAILABLE: 'COORDINATOR_NOT_AVAILABLE',
      NOT_COORDINATOR_FOR_GROUP: 'NOT_COORDINATOR',
    };
    const ours = ErrorCodes as Record<string, number>;
    for (const { type, code } of errorCodes) expect(ours[renamed[type] ?? type], type).toBe(code);
    const codes = Object.values(ErrorCodes);
    expect(new Set(codes).size).toBe(codes.length);
    for (let c = -1; c <= 100; c++) expect(codes).toContain(c);
    expect(ErrorCodes.NONE).toBe(0);
    expect(ErrorCodes.UNSUPPORTED_VERSION).toBe(35);
    expect(ErrorCodes.PRODUCER_FENCED).toBe(90);
  });
});
