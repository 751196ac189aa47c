/** Built-in partition commit policies: `_SUCCESS` marker, Kafka notification, webhook, callback. */

import { OptionsError, validateOptions } from '@weir/core';
import type { FileStorage } from '../storage/types.js';
import { callbackOptionsSchema, kafkaNotificationOptionsSchema, webhookOptionsSchema } from './policy-options-schema.js';
import { notificationOf, type PartitionCommitPolicy, type ReadyPartition } from './types.js';

/** Writes `<partition>/_SUCCESS` with the notification JSON (idempotent). */
export function successFilePolicy(fileName = '_SUCCESS'): PartitionCommitPolicy {
  return {
    name: 'success-file',
    idempotent: true,
    commit: (p, storage: FileStorage) => storage.writeFileAtomic(`${p.dir}/${fileName}`, JSON.stringify(notificationOf(p)) + '\n'),
  };
}

/** A Kafka record for a notification. */
export interface NotificationRecord {
  topic: string;
  key: string;
  value: string;
}

/** Something with KafkaJS's `producer.send` shape. */
export interface KafkaLikeProducer {
  send(record: { topic: string; messages: Array<{ key: string; value: string }> }): Promise<unknown>;
}

export interface KafkaNotificationOptions {
  topic: string;
  /** A connected KafkaJS producer (or anything with its `send`). */
  producer?: KafkaLikeProducer;
  /** Or: publish the records yourself. */
  publish?: (records: NotificationRecord[]) => Promise<void>;
  /**
   * Recovery after a crash while publishing: was this record published (e.g. look it up in the
   * topic by key and version)? Without it such a record is published again (at-least-once).
   */
  wasPublished?: (record: NotificationRecord) => Promise<boolean>;
}

/**
 * Sends one JSON record per ready partition to a Kafka topic (key `stream/partition`).
 * Not idempotent: a redone commit skips partitions whose done-marker exists.
 */
export function kafkaNotificationPolicy(options: KafkaNotificationOptions): PartitionCommitPolicy {
  validateOptions(kafkaNotificationOptionsSchema, options, 'kafkaNotificationPolicy options');
  const publish =
    options.publish ??
    (options.producer !== undefined
      ? async (records: NotificationRecord[]) => {
          await options.producer!.send({ topic: options.topic, messages: records.map((r) => ({ key: r.key, value: r.value })) });
        }
      : undefined);
  if (publish === undefined) throw new OptionsError('kafkaNotificationPolicy options', ['(options): needs a producer or a publish callback']);
  const recordOf = (p: ReadyPartition): NotificationRecord => ({ topic: options.topic, key: `${p.stream}/${p.partition}`, value: JSON.stringify(notificationOf(p)) });
  const wasPublished = options.wasPublished;
  return {
    name: `kafka-${options.topic}`,
    idempotent: false,
    commit: (p) => publish([recordOf(p)]),
    wasCommitted: wasPublished === undefined ? undefined : (p) => wasPublished(recordOf(p)),
  };
}

export interface WebhookPolicyOptions {
  url: string;
  headers?: Record<string, string>;
  /** Attempts before the commit fails (default 5). */
  maxAttempts?: number;
  /** First retry delay, doubled each time (default 200 ms). */
  backoffMs?: number;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

/**
 * POSTs the notification JSON, retried with exponential backoff; an `Idempotency-Key`
 * header (`stream/partition/vN`) lets the receiver drop the rare duplicate.
 */
export function webhookPolicy(options: WebhookPolicyOptions): PartitionCommitPolicy {
  validateOptions(webhookOptionsSchema, options, 'webhookPolicy options');
  const attempts = options.maxAttempts ?? 5;
  const backoff = options.backoffMs ?? 200;
  return {
    name: 'webhook',
    idempotent: false,
    async commit(p) {
      let last: unknown;
      for (let i = 0; i < attempts; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, backoff * 2 ** (i - 1)));
        try {
          const res = await fetch(options.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': `${p.stream}/${p.partition}/v${p.version}`, ...options.headers },
            body: JSON.stringify(notificationOf(p)),
            signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
          });
          await res.arrayBuffer().catch(() => undefined);
          if (res.ok) return;
          last = new Error(`webhook ${options.url} answered ${res.status}`);
        } catch (err) {
          last = err;
        }
      }
      throw last;
    },
  };
}

/** A custom step; say whether running it twice for the same partition version is harmless. */
export function callbackPolicy(
  name: string,
  fn: (p: ReadyPartition) => void | Promise<void>,
  options: { idempotent?: boolean; wasCommitted?: (p: ReadyPartition) => Promise<boolean> } = {},
): PartitionCommitPolicy {
  validateOptions(callbackOptionsSchema, options, `callbackPolicy '${name}' options`);
  return { name, idempotent: options.idempotent ?? false, commit: async (p) => fn(p), wasCommitted: options.wasCommitted };
}
