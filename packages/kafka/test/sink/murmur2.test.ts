import { execFileSync, spawn } from 'node:child_process';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { startCluster } from '@weir/embedded-kafka';
import { describe, expect, it } from 'vitest';
import { Pipeline, collectionSource, silentLogger } from '@weir/core';
import { javaPartitionForKey, kafkaSink, murmur2, toPositive } from '../../src/sink/index.js';
import { readTopic, tempDir } from './helpers.js';

// Apache Kafka's own vectors (clients UtilsTest.testMurmur2) and Akka's Murmur2Spec (taken from Kafka's implementation)
const JAVA_VECTORS: Array<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
  ['1', -1993445489],
  ['12', 126087238],
  ['123', -267702483],
  ['1234', -1614185708],
  ['12345', -1188365604],
];

const keys = Array.from({ length: 200 }, (_, i) => `key-${i * 7919}-${'x'.repeat(i % 5)}`);

function hasKcat(): boolean {
  try {
    execFileSync('kcat', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('murmur2 partitioning', () => {
  it.each(JAVA_VECTORS)('hashes %j like the Java client', (input, expected) => {
    expect(murmur2(Buffer.from(input))).toBe(expected);
  });

  it('toPositive clears the sign bit like Java (not Math.abs)', () => {
    expect(toPositive(-973932308)).toBe(-973932308 & 0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(5)).toBe(5);
  });

  it('matches KafkaJS DefaultPartitioner (the Java-compatible one) for many keys and partition counts', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    for (const n of [1, 3, 6, 7, 12, 100]) {
      const partitionMetadata = Array.from({ length: n }, (_, i) => ({ partitionId: i, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
      for (const k of keys) {
        const expected = partitioner({ topic: 't', partitionMetadata, message: { key: k, value: 'v' } });
        expect(javaPartitionForKey(Buffer.from(k), n), `${k} over ${n}`).toBe(expected);
      }
    }
  });

  it.skipIf(!hasKcat())('matches librdkafka murmur2_random (documented Java-compatible) through the sink on an embedded cluster', async () => {
    const cluster = await startCluster({ topics: [{ name: 'by-kcat', partitions: 12 }, { name: 'by-weir', partitions: 12 }] });
    try {
      const sample = keys.slice(0, 60);
      // async: the embedded broker runs in this process and must keep answering
      await new Promise<void>((resolve, reject) => {
        const p = spawn('kcat', ['-P', '-b', cluster.bootstrapServers.join(','), '-t', 'by-kcat', '-K', ':', '-X', 'topic.partitioner=murmur2_random'], { stdio: ['pipe', 'ignore', 'pipe'] });
        let err = '';
        p.stderr.on('data', (d) => (err += d));
        p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat exited ${code}: ${err}`))));
        p.stdin.end(sample.map((k) => `${k}:v`).join('\n') + '\n');
      });
      const kafka = new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      const consumer = kafka.consumer({ groupId: 'g-murmur' });
      await consumer.connect();
      await consumer.subscribe({ topic: 'by-kcat', fromBeginning: true });
      const seen = new Map<string, number>();
      await consumer.run({ eachMessage: async ({ partition, message }) => void seen.set(message.key!.toString(), partition) });
      const t0 = Date.now();
      while (seen.size < sample.length && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 50));
      await consumer.disconnect();
      await admin.disconnect();
      expect(seen.size).toBe(sample.length);
      for (const k of sample) expect(javaPartitionForKey(Buffer.from(k), 12), k).toBe(seen.get(k));
      // the same keys through a Weir pipeline and the sink land where librdkafka put them
      const p = new Pipeline({ name: 'murmur', checkpoints: { dir: await tempDir(), intervalMs: 1_000 }, logger: silentLogger });
      p.source('keys', collectionSource(sample)).sink('kafka', kafkaSink<string>({ clusters: [{ brokers: cluster.bootstrapServers }], topic: 'by-weir', serialize: (k) => ({ key: k, value: 'v' }) }));
      expect((await p.run()).outcome).toBe('finished');
      const ours = await readTopic(cluster.bootstrapServers, 'by-weir', { expected: sample.length });
      expect(ours.length).toBe(sample.length);
      for (const r of ours) expect(r.partition, r.key!).toBe(seen.get(r.key!));
    } finally {
      await cluster.stop();
    }
  });
});
