import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { testCluster } from '@weir/embedded-kafka';
import { EnvelopeDecoder, SchemaRegistry, encodeEnvelope, encodeRecord, type DecodeDeadLetter, type DecodedRecord, type EnvelopeInput } from '@weir/formats';
import { sampleOrder, tempDir, writeSchemas } from './helpers.js';

describe('envelopes through Kafka (embedded cluster, KafkaJS clients)', () => {
  it('decodes consumed batches, dead letters carry topic/partition/offset', async () => {
    const cluster = await testCluster({ topics: [{ name: 'formats-envelopes', partitions: 2 }] });
    const kafka = new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING, clientId: 'formats-test' });
    const dir = await tempDir();
    await writeSchemas(dir);
    const registry = await SchemaRegistry.open({ dir });
    const snap = registry.current();
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: `formats-${Date.now()}` });
    try {
      await producer.connect();
      const compressions = ['none', 'gzip', 'zstd', 'lz4', 'snappy'] as const;
      const messages = Array.from({ length: 200 }, (_, i) => ({
        key: String(i),
        value:
          i % 50 === 49
            ? Buffer.from(encodeEnvelope({ stream: 'refunds', payload: new Uint8Array([1]) }))
            : Buffer.from(encodeRecord(snap, 'orders', sampleOrder(i), { compression: compressions[i % 5] })),
        partition: i % 2,
      }));
      await producer.send({ topic: 'formats-envelopes', messages });

      const decoder = new EnvelopeDecoder(() => registry.current());
      const records: DecodedRecord[] = [];
      const dead: DecodeDeadLetter[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic: 'formats-envelopes', fromBeginning: true });
      const done = new Promise<void>((resolve) => {
        void consumer.run({
          eachBatch: async ({ batch }) => {
            const inputs: EnvelopeInput[] = batch.messages.map((m) => ({ bytes: m.value!, position: { topic: batch.topic, partition: batch.partition, offset: m.offset } }));
            const out = decoder.decodeBatch(inputs); // one call per consumed batch
            records.push(...out.records);
            dead.push(...out.deadLetters);
            if (records.length + dead.length >= messages.length) resolve();
          },
        });
      });
      await done;
      expect(records).toHaveLength(196);
      expect(new Set(records.map((r) => r.value.customer))).toEqual(new Set(Array.from({ length: 7 }, (_, i) => `customer-${i}`)));
      expect(records.map((r) => BigInt(r.value.id.toString()) - 2n ** 60n).sort((a, b) => Number(a - b))).toEqual(
        Array.from({ length: 200 }, (_, i) => BigInt(i)).filter((i) => i % 50n !== 49n),
      );
      expect(dead.map((d) => [d.reason, d.stream, (d.position as { partition: number }).partition]).sort()).toEqual([
        ['unknown-stream', 'refunds', 1],
        ['unknown-stream', 'refunds', 1],
        ['unknown-stream', 'refunds', 1],
        ['unknown-stream', 'refunds', 1],
      ]);
      // message i (49, 99, 149, 199: all odd) went to partition i % 2 at offset floor(i / 2)
      expect(dead.map((d) => (d.position as { offset: string }).offset).sort()).toEqual(['24', '49', '74', '99']);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await cluster.stop();
    }
  });
});
