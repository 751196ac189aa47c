/** Nexmark's windowed queries (q5, q7, q8, q11) and the side-input join q13 on the public API. */

import type { Stream, WindowResult } from '@weir/core';
import type { Aggregate } from '../aggregate.js';
import { joinInputs } from '../joins/join-input.js';
import { windowJoin } from '../joins/window-join.js';
import { asyncLookup } from '../lookup/async-lookup.js';
import { session, sliding, tumbling } from '../windows/spec.js';
import { windowed } from '../windows/window.js';
import type { Auction, Bid, NexmarkEvent, Person } from './model.js';

const count: Aggregate<unknown, number, number> = { create: () => 0, add: (n) => n + 1, merge: (a, b) => a + b, result: (n) => n };

/** The values with the highest score (ties kept), as an aggregate. */
function topBy<T>(score: (t: T) => number): Aggregate<T, { best: number; items: T[] }, T[]> {
  const add = (acc: { best: number; items: T[] }, best: number, items: T[]) =>
    best > acc.best ? { best, items } : best < acc.best ? acc : { best, items: acc.items.concat(items) };
  return {
    create: () => ({ best: -Infinity, items: [] }),
    add: (acc, t) => add(acc, score(t), [t]),
    merge: (a, b) => add(a, b.best, b.items),
    result: (acc) => acc.items,
  };
}

const bidsOf = (events: Stream<NexmarkEvent>, name: string): Stream<Bid> => events.flatMap(`${name}.bids`, (e) => (e.kind === 'bid' ? [e.bid] : []));

/** q5 hot items: per 10 s window sliding by 2 s, the auctions with the most bids. */
export function q5(events: Stream<NexmarkEvent>): Stream<{ start: number; auction: number; count: number }> {
  return bidsOf(events, 'q5')
    .keyBy((b) => b.auction)
    .process('q5.counts', windowed(sliding(10_000, 2_000), count))
    .keyBy((w) => w.start)
    .process('q5.hottest', windowed(tumbling(2_000), topBy<WindowResult<number>>((w) => w.value)))
    .flatMap('q5.rows', (w) => w.value.map((c) => ({ start: c.start, auction: Number(c.key), count: c.value })));
}

/** q7 highest bid: per 10 s tumbling window, the bids with the highest price. */
export function q7(events: Stream<NexmarkEvent>): Stream<Bid> {
  return bidsOf(events, 'q7')
    .keyBy(() => 0)
    .process('q7.highest', windowed(tumbling(10_000), topBy<Bid>((b) => b.price)))
    .flatMap('q7.rows', (w) => w.value);
}

/** q8 monitor new users: people who opened an auction in the same 10 s tumbling window they registered in. */
export function q8(events: Stream<NexmarkEvent>): Stream<{ id: number; name: string; reserve: number }> {
  const persons = events.flatMap('q8.persons', (e): Person[] => (e.kind === 'person' ? [e.person] : []));
  const auctions = events.flatMap('q8.auctions', (e): Auction[] => (e.kind === 'auction' ? [e.auction] : []));
  return joinInputs('q8.sellers', persons, auctions, (p) => p.id, (a) => a.seller).process(
    'q8.join',
    windowJoin<Person, Auction, { id: number; name: string; reserve: number }>(tumbling(10_000), (p, a) => ({ id: p.id, name: p.name, reserve: a.reserve })),
  );
}

/** q11 user sessions: bids per bidder per session with a 10 s gap. */
export function q11(events: Stream<NexmarkEvent>): Stream<{ bidder: number; count: number; start: number; end: number }> {
  return bidsOf(events, 'q11')
    .keyBy((b) => b.bidder)
    .process('q11.sessions', windowed(session(10_000), count))
    .map('q11.rows', (w) => ({ bidder: Number(w.key), count: w.value, start: w.start, end: w.end }));
}

/** q13 bounded side input join: each bid with the side table's value for auction % 10 000. */
export function q13(events: Stream<NexmarkEvent>, side: (key: number) => string): Stream<Bid & { value: string }> {
  const lookup = asyncLookup<Bid, number, string, Bid & { value: string }>({
    keyOf: (b) => b.auction % 10_000,
    multiGet: async (keys) => keys.map(side),
    combine: (b, value) => ({ ...b, value: value ?? '' }),
    cache: { size: 10_000, ttlMs: 3_600_000 },
  });
  return bidsOf(events, 'q13').asyncMap('q13.side-input', lookup.fn, { concurrency: 256 });
}
