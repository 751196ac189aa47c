import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { exited, freePort, startCli } from '../support/cli-process.js';
import { kafkaClient } from '../support/kafkajs.js';

describe('weir-kafka argument parsing', () => {
  it('parses every flag', () => {
    expect(parseArgs(['--clusters', '2', '--brokers=3', '--port', '9092', '--host', '0.0.0.0', '--data-dir', '/tmp/d', '--topic', 'a:4', '--topic', 'b'])).toEqual({
      clusters: 2, brokers: 3, port: 9092, host: '0.0.0.0', dataDir: '/tmp/d', topics: [{ name: 'a', partitions: 4 }, { name: 'b', partitions: 1 }], autoCreateTopics: false, help: false,
    });
  });
  it('rejects bad input', () => {
    expect(() => parseArgs(['--brokers', '0'])).toThrow(/--brokers/);
    expect(() => parseArgs(['--nope'])).toThrow(/unknown argument/);
    expect(() => parseArgs(['--topic', 'a:x'])).toThrow(/partitions/);
  });
});

describe('weir-kafka process', () => {
  it('serves clusters on P + c*M + b, prints one JSON line each, exits 0 on SIGTERM', async () => {
    const port = await freePort(4);
    const cli = await startCli(['--clusters', '2', '--brokers', '2', '--port', String(port), '--topic', 'hello:2'], 2);
    expect(cli.clusters.map((c) => c.bootstrapServers)).toEqual([
      [`127.0.0.1:${port}`, `127.0.0.1:${port + 1}`],
      [`127.0.0.1:${port + 2}`, `127.0.0.1:${port + 3}`],
    ]);
    expect(new Set(cli.clusters.map((c) => c.clusterId)).size).toBe(2);
    const admin = kafkaClient(cli.clusters[1]!.bootstrapServers).admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: ['hello'] });
    expect(meta.topics[0]!.partitions).toHaveLength(2);
    await admin.disconnect();
    cli.child.kill('SIGTERM');
    expect(await exited(cli.child)).toBe(0);
  });
});
