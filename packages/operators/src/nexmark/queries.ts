/** Nexmark q0-q3 on the public API, each a function of the event stream (q4 in q4.ts; q5, q7, q8, q11, q13 in window-queries.ts). */

import type { Stream } from '@weir/core';
import { joinInputs } from '../joins/join-input.js';
import { regularJoin } from '../joins/regular-join.js';
import type { Auction, Bid, NexmarkEvent, Person } from './model.js';

const bids = (events: Stream<NexmarkEvent>, name: string): Stream<Bid> =>
  events.flatMap(`${name}.bids`, (e) => (e.kind === 'bid' ? [e.bid] : []));

/** q0 pass-through: every bid. */
export function q0(events: Stream<NexmarkEvent>): Stream<Bid> {
  return bids(events, 'q0');
}

/** q1 currency conversion: bid prices in euros. */
export function q1(events: Stream<NexmarkEvent>): Stream<Bid> {
  return bids(events, 'q1').map('q1.euros', (b) => ({ ...b, price: Math.floor(b.price * 0.908) }));
}

/** q2 selection: bids on every 123rd auction. */
export function q2(events: Stream<NexmarkEvent>): Stream<{ auction: number; price: number }> {
  return bids(events, 'q2')
    .filter('q2.auctions', (b) => b.auction % 123 === 0)
    .map('q2.project', (b) => ({ auction: b.auction, price: b.price }));
}

export interface Q3Result {
  name: string;
  city: string;
  state: string;
  id: number;
}

/**
 * q3 local item suggestion: sellers in OR, ID or CA with their auctions of category 10 (an
 * incremental join; both sides kept `ttlMs` of event time, default one day).
 */
export function q3(events: Stream<NexmarkEvent>, ttlMs = 86_400_000): Stream<Q3Result> {
  const auctions = events.flatMap('q3.auctions', (e): Auction[] => (e.kind === 'auction' && e.auction.category === 10 ? [e.auction] : []));
  const persons = events.flatMap('q3.persons', (e): Person[] => (e.kind === 'person' && ['OR', 'ID', 'CA'].includes(e.person.state) ? [e.person] : []));
  return joinInputs('q3.sellers', auctions, persons, (a) => a.seller, (p) => p.id).process(
    'q3.join',
    regularJoin<Auction, Person, Q3Result>({ ttlMs, join: (a, p) => ({ name: p.name, city: p.city, state: p.state, id: a.id }) }),
  );
}
