/**
 * Cross-check against librdkafka (kcat): a throw-away TCP responder built only from this codec answers
 * ApiVersions, Metadata and Produce. kcat's flexible ApiVersions v3 request, its Metadata request and its
 * RecordBatch v2 produce request must decode, and kcat must accept our replies.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRecords, decodeRequest, decodeRequestHeader, encodeResponse, readBatchHeaders } from '../../src/protocol/index.js';

const KCAT = '/usr/bin/kcat';
const produced: Array<{ topic: string; partition: number; values: string[] }> = [];
const seen: Array<[number, number]> = [];
const failures: Error[] = [];
let server: Server;
let port = 0;

function answer(frame: Buffer): Buffer | null {
  const h = decodeRequestHeader(frame);
  seen.push([h.apiKey, h.apiVersion]);
  if (h.apiKey === 18) {
    if (h.apiVersion > 3) return encodeResponse(18, 0, h.correlationId, { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }] });
    const body = decodeRequest(18, h.apiVersion, frame, h.headerLength);
    if (h.apiVersion >= 3) expect(body.clientSoftwareName).toContain('librdkafka');
    const apiKeys = [
      { apiKey: 0, minVersion: 0, maxVersion: 7 },
      { apiKey: 1, minVersion: 0, maxVersion: 4 }, // librdkafka uses RecordBatch v2 only with Produce 3+ and Fetch 4+
      { apiKey: 3, minVersion: 0, maxVersion: 6 },
      { apiKey: 18, minVersion: 0, maxVersion: 3 },
    ];
    return encodeResponse(18, h.apiVersion, h.correlationId, { errorCode: 0, apiKeys });
  }
  if (h.apiKey === 3) {
    decodeRequest(3, h.apiVersion, frame, h.headerLength);
    return encodeResponse(3, h.apiVersion, h.correlationId, {
      brokers: [{ nodeId: 1, host: '127.0.0.1', port, rack: null }],
      clusterId: 'weir-test',
      controllerId: 1,
      topics: [{ errorCode: 0, name: 'orders', isInternal: false, partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }] }],
    });
  }
  if (h.apiKey === 0) {
    const body = decodeRequest(0, h.apiVersion, frame, h.headerLength);
    const responses = body.topicData.map((t: any) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p: any) => {
        const values: string[] = [];
        for (const b of readBatchHeaders(p.records)) {
          expect(b.crcValid).toBe(true);
          const batch = p.records.subarray(b.offsetInBuffer, b.offsetInBuffer + b.byteLength);
          for (const r of decodeRecords(batch)) values.push(r.value?.toString() ?? '');
        }
        produced.push({ topic: t.name, partition: p.index, values });
        return { index: p.index, errorCode: 0, baseOffset: 0, logAppendTimeMs: -1, logStartOffset: 0 };
      }),
    }));
    return body.acks === 0 ? null : encodeResponse(0, h.apiVersion, h.correlationId, { responses });
  }
  throw new Error(`unexpected api ${h.apiKey}`);
}

function serve(sock: Socket): void {
  let pending = Buffer.alloc(0);
  sock.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const size = pending.readInt32BE(0);
      let reply: Buffer | null;
      try {
        reply = answer(pending.subarray(4, 4 + size));
      } catch (e) {
        failures.push(e as Error);
        sock.destroy();
        return;
      }
      pending = pending.subarray(4 + size);
      if (reply) sock.write(reply);
    }
  });
  sock.on('error', () => undefined);
}

function kcat(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(KCAT, ['-b', `127.0.0.1:${port}`, ...args], { timeout: 20000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

describe.skipIf(!existsSync(KCAT))('librdkafka (kcat) against the codec', () => {
  beforeAll(async () => {
    server = createServer(serve);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('kcat -L reads our ApiVersions v3 and Metadata replies', async () => {
    const out = await kcat(['-L', '-t', 'orders']);
    expect(out).toMatch(/1 brokers:\s+broker 1 at 127\.0\.0\.1:\d+/);
    expect(out).toMatch(/topic "orders" with 1 partitions:\s+partition 0, leader 1, replicas: 1, isrs: 1/);
    expect(seen.some(([k, v]) => k === 18 && v === 3)).toBe(true);
    expect(failures).toEqual([]);
  });

  it('kcat -P produces record batches we decode', async () => {
    await kcat(['-P', '-t', 'orders', '-p', '0', '-X', 'linger.ms=5'], 'first\nsecond\nthird\n');
    const values = produced.filter((p) => p.topic === 'orders').flatMap((p) => p.values);
    expect(values).toEqual(['first', 'second', 'third']);
    expect(seen.some(([k, v]) => k === 0 && v >= 3)).toBe(true);
    expect(failures).toEqual([]);
  });
});
