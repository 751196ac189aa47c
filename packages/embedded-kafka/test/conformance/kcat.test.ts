import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompressionTypes } from 'kafkajs';
import { kafkaTarget, uniqueTopic } from '../support/target.js';
import { createTopics, kafkaClient, waitFor } from '../support/kafkajs.js';
import { registerCodecs } from '../support/codecs.js';
import type { TestKafkaTarget } from '../../src/index.js';

const run = promisify(execFile);
const KCAT = '/usr/bin/kcat';
const hasKcat = fs.existsSync(KCAT);
const SKIP_REASON = 'kcat not installed (apt-get install kcat)';
const itKcat = hasKcat ? it : (name: string, fn: () => Promise<void>) => it.skip(`${name} [${SKIP_REASON}]`, fn);
if (!hasKcat) console.warn(SKIP_REASON);

let target: TestKafkaTarget;
beforeAll(async () => {
  await registerCodecs();
  target = await kafkaTarget({ brokers: 3 });
});
afterAll(async () => {
  await target?.stop();
});

const brokers = (): string => target.bootstrapServers.join(',');

/** Produces lines "key:value" with kcat. */
async function kcatProduce(topic: string, lines: string[], extra: string[] = []): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(KCAT, ['-b', brokers(), '-P', '-t', topic, '-K', ':', ...extra], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`kcat exited ${code}: ${err}`))));
    child.stdin.end(lines.join('\n') + '\n');
  });
}

async function kcatConsume(topic: string): Promise<string[]> {
  const { stdout } = await run(KCAT, ['-b', brokers(), '-C', '-t', topic, '-e', '-o', 'beginning', '-f', '%k:%s\\n', '-q'], { timeout: 30_000 });
  return stdout.split('\n').filter(Boolean);
}

async function kafkajsConsumeAll(topic: string, expected: number): Promise<string[]> {
  const kafka = kafkaClient(target.bootstrapServers);
  const got: string[] = [];
  const consumer = kafka.consumer({ groupId: uniqueTopic('g'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void got.push(`${message.key}:${message.value}`) });
  await waitFor(() => got.length >= expected, 20_000, `${expected} messages`);
  await consumer.disconnect();
  return got;
}

describe('librdkafka (kcat) conformance', () => {
  itKcat('kcat -L lists brokers, topics and partitions (and -J as JSON)', async () => {
    const kafka = kafkaClient(target.bootstrapServers);
    const topic = uniqueTopic('meta');
    await createTopics(kafka, [{ topic, numPartitions: 4 }]);
    const { stdout } = await run(KCAT, ['-b', brokers(), '-L', '-t', topic], { timeout: 20_000 });
    expect(stdout).toContain(`topic "${topic}" with 4 partitions`);
    const json = JSON.parse((await run(KCAT, ['-b', brokers(), '-L', '-J'], { timeout: 20_000 })).stdout);
    expect(json.brokers).toHaveLength(target.external ? json.brokers.length : 3);
    const t = json.topics.find((x: { topic: string }) => x.topic === topic);
    expect(t.partitions).toHaveLength(4);
    expect(t.partitions.every((p: { leader: number }) => json.brokers.some((b: { id: number }) => b.id === p.leader))).toBe(true);
  });

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    itKcat(`kcat produces (${codec}) -> KafkaJS consumes`, async () => {
      const kafka = kafkaClient(target.bootstrapServers);
      const topic = uniqueTopic(`kp-${codec}`);
      await createTopics(kafka, [{ topic, numPartitions: 2 }]);
      const lines = Array.from({ length: 50 }, (_, i) => `k${i}:value-${i}-${'y'.repeat(i)}`);
      await kcatProduce(topic, lines, ['-z', codec]);
      expect((await kafkajsConsumeAll(topic, 50)).sort()).toEqual([...lines].sort());
    });
  }

  const kafkajsCodecs: Array<[string, CompressionTypes]> = [['none', CompressionTypes.None], ['gzip', CompressionTypes.GZIP], ['snappy', CompressionTypes.Snappy], ['lz4', CompressionTypes.LZ4], ['zstd', CompressionTypes.ZSTD]];
  for (const [name, compression] of kafkajsCodecs) {
    itKcat(`KafkaJS produces (${name}) -> kcat consumes`, async () => {
      const kafka = kafkaClient(target.bootstrapServers);
      const topic = uniqueTopic(`jp-${name}`);
      await createTopics(kafka, [{ topic, numPartitions: 2 }]);
      const producer = kafka.producer();
      await producer.connect();
      const lines = Array.from({ length: 40 }, (_, i) => `k${i}:v${i}`);
      await producer.send({ topic, compression, messages: lines.map((l) => ({ key: l.split(':')[0]!, value: l.split(':')[1]! })) });
      await producer.disconnect();
      expect((await kcatConsume(topic)).sort()).toEqual([...lines].sort());
    });
  }

  itKcat('kcat -G consumes as a balanced group member', async () => {
    const kafka = kafkaClient(target.bootstrapServers);
    const topic = uniqueTopic('kg');
    await createTopics(kafka, [{ topic, numPartitions: 3 }]);
    const lines = Array.from({ length: 30 }, (_, i) => `k${i}:g${i}`);
    await kcatProduce(topic, lines);
    const child = spawn(KCAT, ['-b', brokers(), '-u', '-G', uniqueTopic('kcatgrp'), '-o', 'beginning', '-f', '%k:%s\\n', '-q', topic], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      await waitFor(() => out.split('\n').filter(Boolean).length >= 30, 30_000, 'kcat group consumption');
    } finally {
      child.kill('SIGTERM');
    }
    expect(out.split('\n').filter(Boolean).sort()).toEqual([...lines].sort());
  });
});
