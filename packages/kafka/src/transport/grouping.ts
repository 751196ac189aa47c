/** Request-shaping helpers both transport adapters use. */

import type { TopicPartition } from './types.js';

/** Items by key, in first-seen order (a request's topics, a batch's partitions). */
export function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list === undefined) out.set(k, [item]);
    else list.push(item);
  }
  return out;
}

/** Partitions by leader node; a partition without a leader right now is left out (the caller retries it later). */
export function byLeader(partitions: readonly TopicPartition[], leaderOf: (p: TopicPartition) => number | undefined): Map<number, TopicPartition[]> {
  return groupBy(
    partitions.filter((p) => (leaderOf(p) ?? -1) >= 0),
    (p) => leaderOf(p)!,
  );
}
