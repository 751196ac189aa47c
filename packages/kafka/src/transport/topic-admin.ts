/**
 * What both adapters do around their library's CreateTopics and DeleteTopics: check that an
 * existing topic has enough partitions, wait until a new topic's partitions have leaders (a
 * producer needs them at once), and word the errors the same way on every adapter.
 */

import { KafkaTransportError, StaleMetadataError, type EnsuredTopic, type KafkaTransport, type NewTopic } from './types.js';

/** The same topic named twice, or a partition count below 1: refused before any request. */
export function checkNewTopics(topics: NewTopic[]): void {
  const seen = new Set<string>();
  for (const t of topics) {
    if (seen.has(t.topic)) throw new KafkaTransportError(`CreateTopics: topic ${t.topic} is named twice`, 'INVALID_REQUEST', false);
    seen.add(t.topic);
    if (!Number.isInteger(t.partitions) || t.partitions < 1) throw new KafkaTransportError(`CreateTopics: topic ${t.topic} needs a whole number of partitions >= 1, got ${t.partitions}`, 'INVALID_PARTITIONS', false);
  }
}

/** A broker's refusal to create `topic`, with what was asked for. */
export function createTopicError(topic: NewTopic, type: string | undefined, detail: string | undefined, retriable: boolean, cause: unknown): KafkaTransportError {
  const asked = `${topic.partitions} partitions${topic.replicationFactor !== undefined ? `, replication factor ${topic.replicationFactor}` : ''}`;
  return new KafkaTransportError(`CreateTopics(${topic.topic}, ${asked}) failed: ${type ?? 'error'}${detail ? `: ${detail}` : ''}`, type, retriable, { cause });
}

/**
 * After CreateTopics: wait (up to `timeoutMs`) until each topic's partitions all have leaders,
 * and refuse a topic that `existed` with fewer partitions than asked for.
 */
export async function settleTopics(transport: KafkaTransport, topics: NewTopic[], existed: ReadonlySet<string>, timeoutMs: number): Promise<EnsuredTopic[]> {
  const names = topics.map((t) => t.topic);
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    let ready = true;
    try {
      await transport.refreshMetadata(names);
    } catch (err) {
      // a new topic's metadata often says LEADER_NOT_AVAILABLE at first (KafkaJS throws for it)
      if (!(err instanceof KafkaTransportError && err.retriable) && !(err instanceof StaleMetadataError)) throw err;
      lastError = err;
      ready = false;
    }
    for (const t of topics) {
      const leaders = transport.partitionLeaders(t.topic);
      if (leaders.length > 0 && existed.has(t.topic) && leaders.length < t.partitions) {
        throw new KafkaTransportError(
          `topic ${t.topic} exists with ${leaders.length} partitions, ${t.partitions} are required (add partitions or delete the topic)`,
          'TOPIC_ALREADY_EXISTS',
          false,
        );
      }
      if (leaders.length === 0 || leaders.some((l) => l < 0)) ready = false;
    }
    if (ready) return topics.map((t) => ({ topic: t.topic, created: !existed.has(t.topic), partitions: transport.partitionLeaders(t.topic).length }));
    if (Date.now() >= deadline) {
      const leaderless = topics.filter((t) => transport.partitionLeaders(t.topic).length === 0 || transport.partitionLeaders(t.topic).some((l) => l < 0)).map((t) => t.topic);
      const missing = leaderless.length > 0 ? leaderless : names;
      const why = lastError instanceof Error ? ` (last metadata error: ${lastError.message})` : '';
      throw new KafkaTransportError(`CreateTopics: partitions of ${missing.join(', ')} still without a leader after ${timeoutMs} ms${why}`, 'LEADER_NOT_AVAILABLE', true, { cause: lastError });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
