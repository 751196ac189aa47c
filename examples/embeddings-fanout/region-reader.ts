/**
 * The independent check of a region: a plain KafkaJS consumer with read_committed isolation that
 * reads the region's topic from the beginning for as long as the example runs, and remembers every
 * copy of every document it sees (so a duplicate or a missing document shows).
 */

import { Kafka, logLevel } from 'kafkajs';
import type { Embedded } from './fanout-job.js';

export interface RegionReader {
  name: string;
  /** Copies seen per document id, each with the time it became visible. */
  seen: Map<string, Array<{ value: Embedded; atMs: number }>>;
  /** Records read in total (duplicates included). */
  count(): number;
  stop(): Promise<void>;
}

export async function readRegion(name: string, brokers: string[], topic: string): Promise<RegionReader> {
  const kafka = new Kafka({ clientId: `check-${name}`, brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `check-${name}-${process.pid}-${Date.now()}`, readUncommitted: false, maxWaitTimeInMs: 50 });
  const seen = new Map<string, Array<{ value: Embedded; atMs: number }>>();
  let total = 0;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const atMs = Date.now();
      for (const m of batch.messages) {
        const value = JSON.parse(m.value?.toString() ?? 'null') as Embedded;
        const copies = seen.get(value.id);
        if (copies === undefined) seen.set(value.id, [{ value, atMs }]);
        else copies.push({ value, atMs });
        total++;
      }
    },
  });
  return { name, seen, count: () => total, stop: () => consumer.disconnect() };
}
