import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { afterEach } from 'vitest';

const dirs: string[] = [];

/** A fresh temp directory removed after the test. */
export async function tempDir(prefix = 'weir-kafka-sink-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

export interface Read {
  partition: number;
  offset: number;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/**
 * Read a topic from the beginning with a KafkaJS consumer until `expected` records arrived (or
 * `idleMs` passed without new ones), read_committed unless told otherwise.
 */
export async function readTopic(brokers: string[], topic: string, opts: { expected?: number; idleMs?: number; readUncommitted?: boolean; timeoutMs?: number } = {}): Promise<Read[]> {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `check-${Math.random().toString(36).slice(2)}`, readUncommitted: opts.readUncommitted ?? false, maxWaitTimeInMs: 100 });
  const out: Read[] = [];
  let last = Date.now();
  // the idle countdown starts at the first fetch after joining, so "nothing visible" is a real observation
  let fetched = false;
  consumer.on(consumer.events.FETCH, () => {
    if (!fetched) last = Date.now();
    fetched = true;
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages as KafkaMessage[]) {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(m.headers ?? {})) headers[k] = String(v);
        out.push({ partition: batch.partition, offset: Number(m.offset), key: m.key === null ? null : m.key.toString(), value: m.value?.toString() ?? '', headers });
      }
      if (batch.messages.length > 0) last = Date.now();
    },
  });
  const start = Date.now();
  const idle = opts.idleMs ?? 1_500;
  const timeout = opts.timeoutMs ?? 20_000;
  while (Date.now() - start < timeout) {
    if (!fetched) {
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    if (opts.expected !== undefined && out.length >= opts.expected && Date.now() - last > 200) break;
    if (opts.expected === undefined && Date.now() - last > idle) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await consumer.disconnect();
  return out;
}
