import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { startCluster, type EmbeddedCluster } from '../../src/index.js';
import { makeTestCerts, type TestCerts } from '../support/certs.js';
import { KCAT, itKcat, kcatConsume, kcatProduce, kcatProps } from '../support/kcat.js';
import { RawClient } from '../support/raw-client.js';

const run = promisify(execFile);
let certs: TestCerts;
let cluster: EmbeddedCluster;

beforeAll(async () => {
  certs = makeTestCerts();
  // Two brokers, four listeners each, every one on an ephemeral port of its own.
  const protocols = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
  cluster = await startCluster({
    brokers: 2,
    listeners: [0, 1].flatMap((broker) => protocols.map((protocol) => ({ broker, protocol, port: 0 }))),
    tls: { certFile: certs.certFile, keyFile: certs.keyFile },
    sasl: { users: { alice: 'alice-secret', bob: 'bob-secret' } },
    topics: [{ name: 'sec', partitions: 2 }],
  });
});
afterAll(async () => {
  await cluster?.stop();
});

function kafkajs(listener: string, sasl?: SASLOptions): Kafka {
  const ssl = listener.endsWith('SSL') ? { ca: [certs.ca] } : undefined;
  return new Kafka({ brokers: cluster.bootstrapServersFor(listener), ssl, sasl, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 3000 });
}

async function roundTrip(kafka: Kafka, value: string): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'sec', messages: [{ value }] });
  await producer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets('sec');
  await admin.disconnect();
  expect(offsets.reduce((n, o) => n + Number(o.high), 0)).toBeGreaterThan(0);
}

describe('listeners', () => {
  it('every broker has one port per listener; Metadata answers with the endpoints of the listener asked', async () => {
    const ports = cluster.brokers.flatMap((b) => b.listeners.map((l) => l.port));
    expect(new Set(ports).size).toBe(8);
    for (const name of ['PLAINTEXT', 'SASL_PLAINTEXT']) {
      const c = await RawClient.connect(cluster.bootstrapServersFor(name)[0]!);
      if (name.startsWith('SASL')) {
        await c.call(17, 1, { mechanism: 'PLAIN' });
        expect((await c.call(36, 1, { authBytes: Buffer.from('\u0000alice\u0000alice-secret') })).errorCode).toBe(0);
      }
      const meta = await c.call(3, 1, { topics: null });
      expect(meta.brokers.map((b: { host: string; port: number }) => `${b.host}:${b.port}`)).toEqual(cluster.bootstrapServersFor(name));
      c.close();
    }
  });
});

describe('TLS', () => {
  it('KafkaJS produces and reads offsets over SSL', async () => {
    await roundTrip(kafkajs('SSL'), 'over-tls');
  });

  it('a plaintext client on the SSL port gets no Kafka answer, and the broker keeps serving', async () => {
    const c = await RawClient.connect(cluster.bootstrapServersFor('SSL')[0]!);
    c.send(18, 0, {});
    expect(await c.nextFrame()).toBeNull();
    await roundTrip(kafkajs('SSL'), 'still-serving');
  });

  itKcat('kcat produces and consumes over SSL', async () => {
    const props = kcatProps({ 'security.protocol': 'SSL', 'ssl.ca.location': certs.caFile });
    await kcatProduce(cluster.bootstrapServersFor('SSL'), 'sec', ['k1', 'k2'], props);
    expect(await kcatConsume(cluster.bootstrapServersFor('SSL'), 'sec', props)).toEqual(expect.arrayContaining(['k1', 'k2']));
  });
});

const MECHANISMS = [
  { kafkajs: 'plain', librdkafka: 'PLAIN' },
  { kafkajs: 'scram-sha-256', librdkafka: 'SCRAM-SHA-256' },
  { kafkajs: 'scram-sha-512', librdkafka: 'SCRAM-SHA-512' },
] as const;

describe.each(MECHANISMS)('SASL_SSL with $librdkafka', ({ kafkajs: mechanism, librdkafka }) => {
  it('KafkaJS authenticates with the right password', async () => {
    await roundTrip(kafkajs('SASL_SSL', { mechanism, username: 'alice', password: 'alice-secret' } as SASLOptions), `${mechanism}-ok`);
  });

  it('KafkaJS is refused with a wrong password (SASL_AUTHENTICATION_FAILED)', async () => {
    const admin = kafkajs('SASL_SSL', { mechanism, username: 'alice', password: 'nope' } as SASLOptions).admin();
    await expect(admin.connect()).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
  });

  const props = (password: string): string[] =>
    kcatProps({ 'security.protocol': 'SASL_SSL', 'ssl.ca.location': certs.caFile, 'sasl.mechanisms': librdkafka, 'sasl.username': 'bob', 'sasl.password': password });

  itKcat('kcat produces and consumes with the right password', async () => {
    const value = `kcat-${librdkafka}`;
    await kcatProduce(cluster.bootstrapServersFor('SASL_SSL'), 'sec', [value], props('bob-secret'));
    expect(await kcatConsume(cluster.bootstrapServersFor('SASL_SSL'), 'sec', props('bob-secret'))).toContain(value);
  });

  itKcat('kcat reports an authentication failure with a wrong password', async () => {
    const err = await run(KCAT, ['-b', cluster.bootstrapServersFor('SASL_SSL')[0]!, '-L', '-m', '1', ...props('wrong')], { timeout: 20_000 }).then(
      () => null,
      (e: { stderr: string }) => e.stderr,
    );
    expect(err).toMatch(/Authentication failed/);
  });
});

describe('SASL_PLAINTEXT', () => {
  it('a failed SaslAuthenticate is answered (SASL_AUTHENTICATION_FAILED, 58) and then the connection closes, as in Kafka', async () => {
    const c = await RawClient.connect(cluster.bootstrapServersFor('SASL_PLAINTEXT')[0]!);
    await c.call(17, 1, { mechanism: 'PLAIN' });
    expect((await c.call(36, 1, { authBytes: Buffer.from('\u0000alice\u0000nope') })).errorCode).toBe(58);
    expect(await c.nextFrame(2000)).toBeNull();
  });

  it('SCRAM over the SaslHandshake v0 raw-token flow, and requests before authentication close the connection', async () => {
    const kafka = kafkajs('SASL_PLAINTEXT', { mechanism: 'scram-sha-256', username: 'bob', password: 'bob-secret' });
    await roundTrip(kafka, 'scram-plaintext');
    const c = await RawClient.connect(cluster.bootstrapServersFor('SASL_PLAINTEXT')[0]!);
    c.send(3, 1, { topics: null });
    expect(await c.nextFrame()).toBeNull();
  });
});
