import { Kafka, logLevel, type Admin } from 'kafkajs';

/** A KafkaJS client with logging off and quick retries. */
export function kafkaClient(brokers: string[], clientId = 'weir-test'): Kafka {
  return new Kafka({ clientId, brokers, logLevel: process.env.KAFKAJS_LOG ? logLevel.DEBUG : logLevel.NOTHING, retry: { initialRetryTime: 50, retries: 8 } });
}

/** Creates topics through the admin API (works on embedded and external clusters). */
export async function createTopics(kafka: Kafka, topics: Array<{ topic: string; numPartitions: number }>): Promise<void> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics, waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** Resolves when `cond()` is true, polling every 20 ms, or rejects after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
