/** Spreading records over clusters by weight (balance mode): keyed records stick to a cluster while the healthy set is stable. */

import type { OutMessage } from './cluster-producer.js';
import { murmur2, toPositive } from './murmur2.js';

/** Re-mix the key hash so the cluster choice is independent of the partition choice (both start from murmur2). */
function decorrelate(h: number): number {
  let x = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return toPositive(x ^ (x >>> 16));
}

export function splitByWeight<L>(messages: OutMessage[], lanes: readonly L[], weightOf: (lane: L) => number, counter: { n: number }): Map<L, OutMessage[]> {
  const cumulative: number[] = [];
  let total = 0;
  for (const l of lanes) cumulative.push((total += Math.max(0, weightOf(l))));
  const out = new Map<L, OutMessage[]>();
  if (total === 0) return out;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const h = m.key === null ? counter.n++ : decorrelate(murmur2(m.key));
    const slot = h % total;
    let j = 0;
    while (cumulative[j]! <= slot) j++;
    const lane = lanes[j]!;
    let list = out.get(lane);
    if (list === undefined) out.set(lane, (list = []));
    list.push(m);
  }
  return out;
}
