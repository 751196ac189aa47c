/**
 * The pipeline: documents from two source clusters -> embedding by a model server (batched async
 * lookup with cache, retries and a timeout) -> every vector to two regions (HA Kafka sink,
 * replicate mode, exactly-once). Freshness over completeness: no watermarks, nothing waits for a
 * cluster that is down; the other cluster's documents keep flowing.
 */

import { Pipeline, memorySink, silentLogger, type DeadLetter, type Job, type Logger } from '@weir/core';
import { kafkaSink, kafkaSource, type KafkaRecord } from '@weir/kafka';
import { asyncLookup, type LookupStats } from '@weir/operators';
import { embedBatch } from './model-server.js';

/** A document as produced to the source topic (JSON value, key = id). */
export interface Doc {
  id: string;
  text: string;
}

/** What each region receives (JSON value, key = id). */
export interface Embedded extends Doc {
  vector: number[];
  /** The source cluster the document came from. */
  source: string;
}

export const SOURCE_TOPIC = 'docs';
export const REGION_TOPIC = 'embeddings';

export interface FanoutOptions {
  sources: Array<{ name: string; brokers: string[] }>;
  regions: Array<{ name: string; brokers: string[] }>;
  modelUrl: string;
  checkpointDir: string;
  checkpointIntervalMs?: number;
  logger?: Logger;
}

export interface Fanout {
  job: Job;
  lookup: LookupStats;
  /** Committed dead letters (documents that are not JSON `{ id, text }`). */
  deadLetters(): readonly DeadLetter[];
}

/** Parse a source record; throwing sends it to the dead letters with its source position. */
export function parseDoc(r: KafkaRecord): Doc & { source: string } {
  const doc = JSON.parse(r.value?.toString() ?? 'null') as Partial<Doc> | null;
  if (typeof doc?.id !== 'string' || typeof doc.text !== 'string') throw new Error('expected a JSON object with string "id" and "text"');
  return { id: doc.id, text: doc.text, source: r.cluster };
}

export function startFanout(o: FanoutOptions): Fanout {
  const lookup = asyncLookup<Doc & { source: string }, string, number[], Embedded>({
    keyOf: (d) => d.text,
    multiGet: (texts) => embedBatch(o.modelUrl, texts), // one HTTP request per batch of distinct texts
    combine: (d, vector) => {
      if (vector === undefined) throw new Error(`no vector for '${d.text}'`);
      return { ...d, vector };
    },
    maxBatch: 32,
    timeoutMs: 750, // a hung model request is given up and retried
    retry: { maxAttempts: 6, backoff: 'exponential', delayMs: 20, maxDelayMs: 500 },
    cache: { size: 10_000, ttlMs: 10 * 60_000 }, // repeated texts are not embedded again
  });
  const pipeline = new Pipeline({
    name: 'embeddings-fanout',
    checkpoints: { dir: o.checkpointDir, intervalMs: o.checkpointIntervalMs ?? 300 },
    logger: o.logger ?? silentLogger,
  });
  pipeline
    // no watermarks: nothing here is event-time, so a cluster that is down holds nothing back
    .source('docs', kafkaSource({ clusters: o.sources.map((s) => ({ ...s, topics: [SOURCE_TOPIC] })), discoveryIntervalMs: 1_000, reconnectBackoff: { initialMs: 50, maxMs: 500 } }))
    .map('parse', parseDoc, { onError: 'dead-letter' })
    .asyncMap('embed', lookup.fn, { concurrency: 256 })
    .sink(
      'regions',
      kafkaSink<Embedded>({
        clusters: o.regions,
        mode: 'replicate', // every vector to every region, one transaction per region per checkpoint
        guarantee: 'exactly-once',
        topic: REGION_TOPIC,
        transactionTimeoutMs: 60_000,
        expectedRestartMs: 10_000,
        serialize: (e) => ({ key: e.id, value: JSON.stringify(e) }),
      }),
    );
  const dead = memorySink<DeadLetter>();
  pipeline.deadLetters().sink('dead-letters', dead);
  return { job: pipeline.start(), lookup: lookup.stats, deadLetters: () => dead.committed };
}
