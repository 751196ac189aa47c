/** Two streams as one keyed input for the join operators: each record tagged with its side. */

import type { KeyedStream, Stream } from '@weir/core';

export type JoinInput<L, R> = { readonly side: 'left'; readonly value: L } | { readonly side: 'right'; readonly value: R };

/**
 * `left` and `right` tagged and unioned (steps `<name>.left`, `<name>.right`, `<name>`), keyed by
 * the join key of each side; the result takes any join operator's `process`.
 */
export function joinInputs<L, R>(name: string, left: Stream<L>, right: Stream<R>, leftKey: (l: L) => string | number, rightKey: (r: R) => string | number): KeyedStream<JoinInput<L, R>> {
  const l = left.map(`${name}.left`, (value): JoinInput<L, R> => ({ side: 'left', value }));
  const r = right.map(`${name}.right`, (value): JoinInput<L, R> => ({ side: 'right', value }));
  return l.union(name, r).keyBy((j) => (j.side === 'left' ? leftKey(j.value) : rightKey(j.value)));
}
