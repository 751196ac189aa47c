/** Turns start positions (earliest, latest, timestamp, committed, explicit) into offsets. */

import type { KafkaTransport } from '../transport/types.js';
import type { KafkaClusterSpec, StartPosition } from './types.js';

/** The start position of `topic` on `cluster`: per topic, else per cluster, else the source's. */
export function startPositionOf(spec: KafkaClusterSpec, topic: string, sourceDefault: StartPosition, initial: boolean): StartPosition {
  if (!initial) return sourceDefault;
  return spec.startFromByTopic?.[topic] ?? spec.startFrom ?? sourceDefault;
}

/** Offsets for some partitions of one topic. */
export async function resolveOffsets(client: KafkaTransport, topic: string, partitions: number[], position: StartPosition): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  let missing = partitions;
  let fallback: 'earliest' | 'latest' = 'earliest';
  if (typeof position === 'object' && 'committed' in position) {
    const committed = await client.committedOffsets(position.committed, topic);
    fallback = position.fallback ?? 'earliest';
    missing = take(partitions, committed, out);
  } else if (typeof position === 'object' && 'offsets' in position) {
    const explicit = new Map(Object.entries(position.offsets).map(([p, o]) => [Number(p), String(o)]));
    fallback = position.fallback ?? 'earliest';
    missing = take(partitions, explicit, out);
  } else if (typeof position === 'object') {
    missing = take(partitions, await client.listOffsets(topic, position), out);
  } else {
    fallback = position;
  }
  if (missing.length > 0) take(missing, await client.listOffsets(topic, fallback), out);
  return out;
}

function take(partitions: number[], from: Map<number, string>, into: Map<number, string>): number[] {
  const missing: number[] = [];
  for (const p of partitions) {
    const o = from.get(p);
    if (o === undefined) missing.push(p);
    else into.set(p, o);
  }
  return missing;
}
