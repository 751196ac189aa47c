import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, Partitioners, logLevel, type Producer } from 'kafkajs';
import { afterEach } from 'vitest';
import type { KafkaRecord } from '../../src/index.js';

const cleanups: Array<() => Promise<unknown>> = [];

/** Run after the current test (reverse order). */
export function onCleanup(fn: () => Promise<unknown>): void {
  cleanups.push(fn);
}

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => {});
});

/** A fresh temp directory removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-kafka-source-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A connected producer for `brokers`, disconnected after the test. */
export async function producerFor(brokers: string[]): Promise<Producer> {
  const producer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  onCleanup(() => producer.disconnect());
  return producer;
}

/** Produce `count` records `<tag>-<i>` spread round-robin over `partitions`, in sends of up to 500. */
export async function produce(producer: Producer, topic: string, partitions: number, count: number, tag = topic): Promise<void> {
  for (let start = 0; start < count; start += 500) {
    const messages = [];
    for (let i = start; i < Math.min(count, start + 500); i++) messages.push({ partition: i % partitions, value: `${tag}-${i}` });
    await producer.send({ topic, messages });
  }
}

/** Poll `cond` every 20 ms until it holds or `timeoutMs` passes (then throw with `what`). */
export async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `cluster/topic/partition@offset` of every record; throws on duplicates. */
export function distinctKeys(records: readonly KafkaRecord[]): Set<string> {
  const keys = new Set<string>();
  for (const r of records) {
    const k = `${r.cluster}/${r.topic}/${r.partition}@${r.offset}`;
    if (keys.has(k)) throw new Error(`duplicate record ${k}`);
    keys.add(k);
  }
  return keys;
}

/** Count of records per cluster. */
export function perCluster(records: readonly KafkaRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) out[r.cluster] = (out[r.cluster] ?? 0) + 1;
  return out;
}
