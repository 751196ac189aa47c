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

  it('closes connections that skip authentication', async () => {
    const c = await RawClient.connect(cluster.bootstrapServers[0]!);
    expect((await c.call(18, 2, {})).errorCode).toBe(0); // ApiVersions is allowed
    c.send(3, 1, { topics: null });
    expect(await c.nextFrame()).toBeNull();
  });
});
