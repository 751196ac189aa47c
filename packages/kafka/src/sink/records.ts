/** Converting pipeline records into Kafka messages (one loop per batch). */

import type { OutMessage, PartitionChooser } from './cluster-producer.js';
import type { KafkaSinkOptions, KafkaSinkPartitioner } from './types.js';

export function toMessages<T>(records: readonly T[], o: Pick<KafkaSinkOptions<T>, 'serialize' | 'topic'>): OutMessage[] {
  const out = new Array<OutMessage>(records.length);
  const serialize = o.serialize;
  for (let i = 0; i < records.length; i++) {
    const r = serialize(records[i]!);
    const topic = r.topic ?? o.topic;
    if (topic === undefined) throw new Error('kafka sink: record without topic and no default `topic` option');
    const key = r.key === undefined || r.key === null ? null : typeof r.key === 'string' ? Buffer.from(r.key) : r.key;
    out[i] = { topic, key, value: r.value, headers: r.headers, partition: r.partition, timestamp: r.timestamp };
  }
  return out;
}

export function partitionChooser(p: KafkaSinkPartitioner | undefined): PartitionChooser | undefined {
  if (p === undefined) return undefined;
  return (m, count) => p({ topic: m.topic, key: m.key, value: m.value }, count);
}
