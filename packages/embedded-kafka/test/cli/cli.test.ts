import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { exited, freePort, startCli, type CliProcess } from '../support/cli-process.js';
import { kafkaClient } from '../support/kafkajs.js';

describe('weir-kafka argument parsing', () => {
  it('parses every flag', () => {
    expect(parseArgs(['--clusters', '2', '--brokers=3', '--port', '9092', '--host', '0.0.0.0', '--data-dir', '/tmp/d', '--topic', 'a:4', '--topic', 'b'])).toEqual({
      clusters: 2, brokers: 3, port: 9092, host: '0.0.0.0', dataDir: '/tmp/d', topics: [{ name: 'a', partitions: 4 }, { name: 'b', partitions: 1 }], autoCreateTopics: false, help: false,
      listeners: [], tls: {}, users: {}, superUsers: [], authorizer: false,
    });
    expect(parseArgs(['--listener', '0:SSL:9093', '--listener=1:INTERNAL=SASL_SSL:9096', '--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--user', 'alice:pa:ss', '--sasl-mechanisms', 'SCRAM-SHA-512', '--authorizer', '--super-user', 'admin'])).toMatchObject({
      listeners: [{ broker: 0, protocol: 'SSL', port: 9093 }, { broker: 1, protocol: 'SASL_SSL', port: 9096, name: 'INTERNAL' }],
      tls: { certFile: 'c.pem', keyFile: 'k.pem' }, users: { alice: 'pa:ss' }, saslMechanisms: ['SCRAM-SHA-512'], authorizer: true, superUsers: ['admin'],
    });
  });
  it('rejects bad input', () => {
    expect(() => parseArgs(['--brokers', '0'])).toThrow(/--brokers/);
    expect(() => parseArgs(['--nope'])).toThrow(/unknown argument/);
    expect(() => parseArgs(['--topic', 'a:x'])).toThrow(/partitions/);
    expect(() => parseArgs(['--listener', '0:TLS:9093'])).toThrow(/PROTOCOL one of/);
    expect(() => parseArgs(['--user', 'nopassword'])).toThrow(/NAME:PASSWORD/);
  });
});

/** Partitions of a topic as KafkaJS sees them through `brokers`. */
async function partitionCount(brokers: string[], topic: string): Promise<number> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  await admin.disconnect();
  return meta.topics[0]!.partitions.length;
}

/** SIGTERM must close the clusters and exit 0. */
async function stopCli(cli: CliProcess): Promise<void> {
  cli.child.kill('SIGTERM');
  expect(await exited(cli.child)).toBe(0);
}

describe('weir-kafka process', () => {
  it('serves clusters on P + c*M + b, prints one JSON line each, exits 0 on SIGTERM', async () => {
    const port = await freePort(4);
    const cli = await startCli(['--clusters', '2', '--brokers', '2', '--port', String(port), '--topic', 'hello:2'], 2);
    expect(cli.clusters.map((c) => c.bootstrapServers)).toEqual([
      [`127.0.0.1:${port}`, `127.0.0.1:${port + 1}`],
      [`127.0.0.1:${port + 2}`, `127.0.0.1:${port + 3}`],
    ]);
    expect(new Set(cli.clusters.map((c) => c.clusterId)).size).toBe(2);
    expect(await partitionCount(cli.clusters[1]!.bootstrapServers, 'hello')).toBe(2);
    await stopCli(cli);
  });

  it('places brokers on explicit listener ports (a 9092/9095/9098-style layout plus a SASL port)', async () => {
    const p = await freePort(8);
    const cli = await startCli(['--brokers', '3', '--user', 'alice:secret', '--listener', `0:PLAINTEXT:${p}`, '--listener', `1:PLAINTEXT:${p + 3}`,
      '--listener', `2:PLAINTEXT:${p + 6}`, '--listener', `0:SASL_PLAINTEXT:${p + 1}`, '--topic', 't:3']);
    const line = cli.clusters[0] as unknown as { bootstrapServers: string[]; listeners: Record<string, string[]> };
    expect(line.bootstrapServers).toEqual([`127.0.0.1:${p}`, `127.0.0.1:${p + 3}`, `127.0.0.1:${p + 6}`]);
    expect(line.listeners).toEqual({ PLAINTEXT: line.bootstrapServers, SASL_PLAINTEXT: [`127.0.0.1:${p + 1}`] });
    expect(await partitionCount([`127.0.0.1:${p + 3}`], 't')).toBe(3);
    await stopCli(cli);
  });
});
