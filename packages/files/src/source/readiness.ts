/**
 * When the file source may read a partition. The file sink's committer announces every
 * partition (empty ones too) once, in hour order per stream, after its files were committed and
 * merged: a reader that waits for the announcement never sees a partial hour or a merge.
 * Waiting is per table and only for the *next* partition (its name is known from the pattern),
 * so following a table costs one `exists` per poll interval, or nothing with a Kafka feed.
 */

import type { FileStorage } from '../storage/types.js';

/** The partition the source asks about. */
export interface PartitionRef {
  /** The stream (table) name, as in notifications. */
  stream: string;
  /** Partition path inside the table, e.g. `dt=2024-05-01/hour=13`. */
  partition: string;
  /** Directory relative to the storage root. */
  dir: string;
}

/** Decides whether a partition was announced (and so is complete). */
export interface PartitionReadiness {
  /** Start following; `wake` makes waiting readers check again at once (pushed announcements). */
  open?(wake: () => void): Promise<void>;
  isReady(p: PartitionRef, storage: FileStorage): boolean | Promise<boolean>;
  /** True when `isReady` is an in-memory lookup that `wake`s on change: no polling interval applies. */
  readonly pushed?: boolean;
  close?(): Promise<void>;
}

/** Ready once `<partition>/_SUCCESS` (the sink's `successFilePolicy`) exists. */
export function successFileReadiness(fileName = '_SUCCESS'): PartitionReadiness {
  return { isReady: (p, storage) => storage.exists(`${p.dir}/${fileName}`) };
}

/** Every partition is ready at once: read what is there (tables written without announcements). */
export function immediateReadiness(): PartitionReadiness {
  return { isReady: () => true, pushed: true };
}

/** The part of a KafkaJS consumer the announcement feed uses. */
export interface KafkaLikeConsumer {
  connect(): Promise<void>;
  subscribe(subscription: { topics: string[]; fromBeginning: boolean }): Promise<void>;
  run(config: { autoCommit: boolean; eachMessage: (payload: { message: { key: Buffer | null; value: Buffer | null } }) => Promise<void> }): Promise<void>;
  disconnect(): Promise<void>;
}

export interface KafkaAnnouncementsOptions {
  /** The notification topic of the upstream sink's `kafkaNotificationPolicy`. */
  topic: string;
  /** Makes a consumer (e.g. `(groupId) => kafka.consumer({ groupId })` with KafkaJS); one per reader attempt. */
  consumer: (groupId: string) => KafkaLikeConsumer;
  /** Consumer group id; default a fresh one per reader (the topic is read from its beginning). */
  groupId?: string;
}

/**
 * Ready once the committer's notification for the partition arrived on `topic` (records keyed
 * `stream/partition`, JSON values with `stream` and `partition`). The topic is read from its
 * beginning on every start, so a restored reader knows every announcement again; offsets are
 * never committed (the source's own checkpoint says what was read).
 */
export function kafkaAnnouncements(options: KafkaAnnouncementsOptions): PartitionReadiness {
  const announced = new Set<string>();
  let consumer: KafkaLikeConsumer | undefined;
  return {
    pushed: true,
    async open(wake) {
      consumer = options.consumer(options.groupId ?? `weir-file-source-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
      await consumer.connect();
      await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          const key = keyOf(message.value);
          if (key === undefined || announced.has(key)) return;
          announced.add(key);
          wake();
        },
      });
    },
    isReady: (p) => announced.has(`${p.stream}\u0000${p.partition}`),
    async close() {
      await consumer?.disconnect().catch(() => undefined);
      consumer = undefined;
    },
  };
}

/** `stream\0partition` of a notification value, or undefined for a record that is not one. */
function keyOf(value: Buffer | null): string | undefined {
  if (value === null) return undefined;
  try {
    const n = JSON.parse(value.toString('utf8')) as { stream?: unknown; partition?: unknown };
    return typeof n.stream === 'string' && typeof n.partition === 'string' ? `${n.stream}\u0000${n.partition}` : undefined;
  } catch {
    return undefined;
  }
}
