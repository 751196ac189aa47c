import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type EmbeddedCluster } from '../../src/index.js';
import { decodeResponse, encodeRequest } from '../../src/protocol/index.js';
import { kafkaClient } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';

let cluster: EmbeddedCluster;
beforeAll(async () => {
  cluster = await startCluster({
    brokers: 1,
    listeners: [{ broker: 0, protocol: 'PLAINTEXT', port: 0 }, { broker: 0, protocol: 'SASL_PLAINTEXT', port: 0 }],
    sasl: { users: { alice: 'pw' } },
    limits: { maxRequestBytes: 1024 * 1024, maxConnectionsPerBroker: 40, maxInFlightRequestsPerConnection: 8 },
    topics: [{ name: 'h', partitions: 1 }],
  });
});
afterAll(async () => {
  await cluster?.stop();
});

const plain = (): Promise<RawClient> => RawClient.connect(cluster.bootstrapServersFor('PLAINTEXT')[0]!);
const sizePrefix = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n, 0);
  return b;
};

/** The broker still answers a fresh client. */
async function stillServes(): Promise<void> {
  const c = await plain();
  expect((await c.call(3, 1, { topics: null })).topics.map((t: { name: string }) => t.name)).toEqual(['h']);
  c.close();
}

describe('hostile frames close only their own connection', () => {
  it('a size prefix above maxRequestBytes closes at once, before the body arrives (nothing is buffered)', async () => {
    const c = await plain();
    c.sendRaw(sizePrefix(2 * 1024 * 1024)); // body never sent: the size alone must be enough
    expect(await c.nextFrame(2000)).toBeNull();
    await stillServes();
  });

  it('zero and negative sizes close the connection', async () => {
    for (const size of [0, -1, -2147483648]) {
      const c = await plain();
      c.sendRaw(sizePrefix(size));
      expect(await c.nextFrame(2000)).toBeNull();
    }
    await stillServes();
  });

  it('before SASL authentication the limit is 512 KiB (sasl.server.max.receive.size), and other APIs close the connection', async () => {
    const c = await RawClient.connect(cluster.bootstrapServersFor('SASL_PLAINTEXT')[0]!);
    c.sendRaw(sizePrefix(524289));
    expect(await c.nextFrame(2000)).toBeNull();
    const d = await RawClient.connect(cluster.bootstrapServersFor('SASL_PLAINTEXT')[0]!);
    d.send(0, 3, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [] });
    expect(await d.nextFrame(2000)).toBeNull();
  });

  it('unknown API keys and unsupported versions close the connection; ApiVersions answers UNSUPPORTED_VERSION (35) in v0', async () => {
    const header = (apiKey: number, version: number): Buffer => {
      const b = Buffer.alloc(14);
      b.writeInt32BE(10, 0);
      b.writeInt16BE(apiKey, 4);
      b.writeInt16BE(version, 6);
      b.writeInt32BE(1, 8);
      b.writeInt16BE(-1, 12); // null client id
      return b;
    };
    for (const [key, version] of [[999, 0], [-5, 0], [3, 99], [0, -1]] as const) {
      const c = await plain();
      c.sendRaw(header(key, version));
      expect(await c.nextFrame(2000)).toBeNull();
    }
    const c = await plain();
    // A future ApiVersions version has a flexible header: one (empty) tagged-field byte after the client id.
    const future = Buffer.concat([header(18, 99), Buffer.alloc(1)]);
    future.writeInt32BE(11, 0);
    c.sendRaw(future);
    const frame = (await c.nextFrame(2000))!;
    expect(decodeResponse(18, 0, frame).body.errorCode).toBe(35);
    c.close();
  });

  it('a truncated request body and a garbage body close the connection', async () => {
    const full = encodeRequest(3, 1, 7, 'x', { topics: [{ name: 'h' }] });
    const truncated = Buffer.concat([sizePrefix(full.length - 4 - 3), full.subarray(4, full.length - 3)]);
    const c = await plain();
    c.sendRaw(truncated);
    expect(await c.nextFrame(2000)).toBeNull();
    const g = await plain();
    g.sendRaw(Buffer.concat([sizePrefix(12), Buffer.alloc(12, 0xff)]));
    expect(await g.nextFrame(2000)).toBeNull();
    await stillServes();
  });
});

describe('limits', () => {
  it('a connection flood beyond maxConnectionsPerBroker is closed on accept; the broker keeps serving afterwards', async () => {
    const address = cluster.bootstrapServersFor('PLAINTEXT')[0]!.split(':');
    const sockets = await Promise.all(
      Array.from({ length: 120 }, () => new Promise<{ s: net.Socket; closed: Promise<boolean> }>((resolve) => {
        const s = net.connect({ host: address[0], port: Number(address[1]) });
        const closed = new Promise<boolean>((r) => {
          s.on('close', () => r(true));
          setTimeout(() => r(false), 500).unref();
        });
        s.on('error', () => {});
        s.on('connect', () => resolve({ s, closed }));
        s.on('close', () => resolve({ s, closed }));
      })),
    );
    const closed = (await Promise.all(sockets.map((x) => x.closed))).filter(Boolean).length;
    expect(closed).toBeGreaterThanOrEqual(120 - 40);
    for (const x of sockets) x.s.destroy();
    await new Promise((r) => setTimeout(r, 50));
    await stillServes();
  });

  it('pipelined requests behind a hung one stop being read at maxInFlightRequestsPerConnection and all complete, in order, once released', async () => {
    cluster.hangRequests({ apiKey: 3 });
    const c = await plain();
    const ids = Array.from({ length: 200 }, () => c.send(3, 1, { topics: null }));
    await new Promise((r) => setTimeout(r, 200));
    cluster.clearFaults();
    for (const id of ids) {
      const frame = await c.nextFrame(5000);
      expect(decodeResponse(3, 1, frame!).correlationId).toBe(id);
    }
    c.close();
  });

  it('a real client works after all of the above', async () => {
    const producer = kafkaClient(cluster.bootstrapServersFor('PLAINTEXT')).producer();
    await producer.connect();
    await producer.send({ topic: 'h', messages: [{ value: 'alive' }] });
    await producer.disconnect();
    expect(cluster.highWatermarks('h')).toEqual([1]);
  });
});
