import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompressionTypes } from 'kafkajs';
import { kafkaTarget, uniqueTopic } from '../support/target.js';
import { createTopics, kafkaClient, waitFor } from '../support/kafkajs.js';
import { registerCodecs } from '../support/codecs.js';
import type { TestKafkaTarget } from '../../src/index.js';

let target: TestKafkaTarget;

beforeAll(async () => {
  await registerCodecs();
  target = await kafkaTarget({ brokers: 3 });
});
afterAll(async () => {
  await target?.stop();
});

describe('KafkaJS produce/consume', () => {
  it('round-trips keys, headers and values with every compression codec', async () => {
    const kafka = kafkaClient(target.bootstrapServers);
    const topic = uniqueTopic('codecs');
    await createTopics(kafka, [{ topic, numPartitions: 3 }]);
    const producer = kafka.producer();
    await producer.connect();
    const codecs = [CompressionTypes.None, CompressionTypes.GZIP, CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD];
    const sent: string[] = [];
    for (const compression of codecs) {
      const messages = Array.from({ length: 20 }, (_, i) => {
        const value = `c${compression}-m${i}-${'x'.repeat(i * 10)}`;
        sent.push(value);
        return { key: `k${i}`, value, headers: { codec: String(compression), n: String(i) } };
      });
      await producer.send({ topic, compression, messages });
    }
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueTopic('g'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got: Array<{ key: string; value: string; headers: Record<string, string> }> = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        got.push({
          key: message.key!.toString(),
          value: message.value!.toString(),
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        });
      },
    });
    await waitFor(() => got.length >= sent.length, 30_000, 'all messages');
    await consumer.disconnect();
    expect(got.map((g) => g.value).sort()).toEqual([...sent].sort());
    for (const g of got) {
      const i = Number(g.headers.n);
      expect(g.key).toBe(`k${i}`);
      expect(g.value.startsWith(`c${g.headers.codec}-m${i}-`)).toBe(true);
    }
  });
});
