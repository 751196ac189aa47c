/** Every committed record of a topic, up to its current end: an independent reader (KafkaJS, read_committed). */

import type { Kafka } from 'kafkajs';

export interface TopicMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
}

export async function readTopic(kafka: Kafka, topic: string, timeoutMs = 30_000): Promise<TopicMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const remaining = new Map(ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, Number(e.high)]));
  const out: TopicMessage[] = [];
  if (remaining.size === 0) return out;
  // a fresh group each time: start at the beginning, commit nothing
  const consumer = kafka.consumer({ groupId: `read-topic-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic}: timed out after ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          out.push({ partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? null });
          // read_committed skips transaction markers, so "done" is the last offset before the end
          if (Number(message.offset) + 1 >= (remaining.get(partition) ?? Infinity)) remaining.delete(partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}
