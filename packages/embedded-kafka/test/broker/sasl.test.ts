import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, type EmbeddedCluster } from '../../src/index.js';
import { RawClient } from '../support/raw-client.js';

let cluster: EmbeddedCluster;
beforeAll(async () => {
  cluster = await startCluster({ sasl: { users: { alice: 'secret' } }, topics: [{ name: 's', partitions: 1 }] });
});
afterAll(async () => {
  await cluster.stop();
});

const client = (password: string): Kafka =>
  new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING, sasl: { mechanism: 'plain', username: 'alice', password }, retry: { retries: 0 } });

describe('SASL/PLAIN', () => {
  it('accepts the right password', async () => {
    const admin = client('secret').admin();
    await admin.connect();
    expect(await admin.listTopics()).toEqual(['s']);
    await admin.disconnect();
  });

  it('rejects a wrong password with SASL_AUTHENTICATION_FAILED', async () => {
    const admin = client('wrong').admin();
    await expect(admin.connect()).rejects.toThrow(/SASL PLAIN authentication failed|Authentication failed/i);
  });

  it('supports the SaslHandshake v0 flow (raw token frame without a Kafka header)', async () => {
    const c = await RawClient.connect(cluster.bootstrapServers[0]!);
    expect(await c.call(17, 0, { mechanism: 'PLAIN' })).toEqual({ errorCode: 0, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] });
    const token = Buffer.from('\u0000alice\u0000secret');
    const frame = Buffer.alloc(4 + token.length);
    frame.writeInt32BE(token.length, 0);
    token.copy(frame, 4);
    c.sendRaw(frame);
    expect((await c.nextFrame())!.length).toBe(0); // empty server token = success
    expect((await c.call(3, 1, { topics: null })).topics.map((t: any) => t.name)).toEqual(['s']);
    c.close();
  });

  it('rejects an unknown mechanism', async () => {
    const c = await RawClient.connect(cluster.bootstrapServers[0]!);
    expect((await c.call(17, 1, { mechanism: 'GSSAPI' })).errorCode).toBe(33);
    c.close();
  });

  it('closes connections that skip authentication', async () => {
    const c = await RawClient.connect(cluster.bootstrapServers[0]!);
    expect((await c.call(18, 2, {})).errorCode).toBe(0); // ApiVersions is allowed
    c.send(3, 1, { topics: null });
    expect(await c.nextFrame()).toBeNull();
  });
});
