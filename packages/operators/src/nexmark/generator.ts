/**
 * Deterministic Nexmark generator: event n is a pure function of (seed, n), so any split layout
 * yields the same events. Proportions, id spaces, hot auctions / bidders and the value lists follow
 * the reference generator (Beam / Flink Nexmark): of every 50 events 1 is a person, 3 are auctions,
 * 46 are bids; ids start at 1000; categories 10..14.
 */

import type { Auction, Bid, NexmarkEvent, Person } from './model.js';

export interface NexmarkConfig {
  seed: number;
  /** Events per second of event time (default 10 000, the reference's first event rate). */
  eventsPerSecond?: number;
  /** Event time of event 0 (default 2026-01-01). */
  baseTime?: number;
}

const PERSON_PROPORTION = 1;
const AUCTION_PROPORTION = 3;
const TOTAL_PROPORTION = 50;
const FIRST_PERSON_ID = 1000;
const FIRST_AUCTION_ID = 1000;
const FIRST_CATEGORY_ID = 10;
const NUM_CATEGORIES = 5;
const HOT_AUCTION_RATIO = 2;
const HOT_SELLER_RATIO = 4;
const HOT_BIDDER_RATIO = 4;
const NUM_ACTIVE_PEOPLE = 1000;
const NUM_IN_FLIGHT_AUCTIONS = 100;
const PERSON_ID_LEAD = 10;
const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const US_CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
const CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];

/** splitmix32: a small, well-distributed PRNG seeded per event. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  };
}

const intBelow = (rnd: () => number, n: number) => Math.floor(rnd() * n);

function lastBase0PersonId(n: number): number {
  const epoch = Math.floor(n / TOTAL_PROPORTION);
  const offset = Math.min(n % TOTAL_PROPORTION, PERSON_PROPORTION - 1);
  return epoch * PERSON_PROPORTION + offset;
}

function lastBase0AuctionId(n: number): number {
  let epoch = Math.floor(n / TOTAL_PROPORTION);
  let offset = n % TOTAL_PROPORTION;
  if (offset < PERSON_PROPORTION) {
    epoch--;
    offset = AUCTION_PROPORTION - 1;
  } else if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) {
    offset = AUCTION_PROPORTION - 1;
  } else {
    offset -= PERSON_PROPORTION;
  }
  return epoch * AUCTION_PROPORTION + offset;
}

/** A person id among the recently active ones (or a little ahead, like the reference). */
function nextBase0PersonId(n: number, rnd: () => number): number {
  const numPeople = lastBase0PersonId(n) + 1;
  const active = Math.min(numPeople, NUM_ACTIVE_PEOPLE);
  return numPeople - active + intBelow(rnd, active + PERSON_ID_LEAD);
}

function nextBase0AuctionId(n: number, rnd: () => number): number {
  const minAuction = Math.max(lastBase0AuctionId(n) - NUM_IN_FLIGHT_AUCTIONS, 0);
  return minAuction + intBelow(rnd, lastBase0AuctionId(n) - minAuction + 1 + PERSON_ID_LEAD);
}

const word = (rnd: () => number, len: number) => Array.from({ length: len }, () => String.fromCharCode(97 + intBelow(rnd, 26))).join('');

export class NexmarkGenerator {
  private readonly msPerEvent: number;
  private readonly base: number;

  constructor(private readonly config: NexmarkConfig) {
    this.msPerEvent = 1000 / (config.eventsPerSecond ?? 10_000);
    this.base = config.baseTime ?? Date.UTC(2026, 0, 1);
  }

  timestampOf(n: number): number {
    return this.base + Math.floor(n * this.msPerEvent);
  }

  event(n: number): NexmarkEvent {
    const rnd = random(Math.imul(this.config.seed, 0x9e3779b1) ^ n);
    const ts = this.timestampOf(n);
    const offset = n % TOTAL_PROPORTION;
    if (offset < PERSON_PROPORTION) return { kind: 'person', person: this.person(n, ts, rnd) };
    if (offset < PERSON_PROPORTION + AUCTION_PROPORTION) return { kind: 'auction', auction: this.auction(n, ts, rnd) };
    return { kind: 'bid', bid: this.bid(n, ts, rnd) };
  }

  private person(n: number, ts: number, rnd: () => number): Person {
    const id = lastBase0PersonId(n) + FIRST_PERSON_ID;
    return {
      id,
      name: `${FIRST_NAMES[intBelow(rnd, FIRST_NAMES.length)]} ${LAST_NAMES[intBelow(rnd, LAST_NAMES.length)]}`,
      emailAddress: `${word(rnd, 7)}@${word(rnd, 5)}.com`,
      creditCard: Array.from({ length: 4 }, () => String(1000 + intBelow(rnd, 9000))).join(' '),
      city: US_CITIES[intBelow(rnd, US_CITIES.length)]!,
      state: US_STATES[intBelow(rnd, US_STATES.length)]!,
      dateTime: ts,
      extra: '',
    };
  }

  private auction(n: number, ts: number, rnd: () => number): Auction {
    let seller = intBelow(rnd, HOT_SELLER_RATIO) > 0 ? Math.floor(lastBase0PersonId(n) / HOT_SELLER_RATIO) * HOT_SELLER_RATIO : nextBase0PersonId(n, rnd);
    seller += FIRST_PERSON_ID;
    const initialBid = 1 + intBelow(rnd, 1000);
    return {
      id: lastBase0AuctionId(n) + FIRST_AUCTION_ID,
      itemName: word(rnd, 10),
      description: word(rnd, 20),
      initialBid,
      reserve: initialBid + 1 + intBelow(rnd, 1000),
      dateTime: ts,
      // auctions run for about 10 to 20 seconds of event time at the default rate
      expires: ts + 10_000 + intBelow(rnd, 10_000),
      seller,
      category: FIRST_CATEGORY_ID + intBelow(rnd, NUM_CATEGORIES),
      extra: '',
    };
  }

  private bid(n: number, ts: number, rnd: () => number): Bid {
    const auction = (intBelow(rnd, HOT_AUCTION_RATIO) > 0 ? Math.floor(lastBase0AuctionId(n) / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO : nextBase0AuctionId(n, rnd)) + FIRST_AUCTION_ID;
    const bidder = (intBelow(rnd, HOT_BIDDER_RATIO) > 0 ? Math.floor(lastBase0PersonId(n) / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO + 1 : nextBase0PersonId(n, rnd)) + FIRST_PERSON_ID;
    const channel = CHANNELS[intBelow(rnd, CHANNELS.length)]!;
    return { auction, bidder, price: 100 + intBelow(rnd, 100_000), channel, url: `https://www.nexmark.com/${word(rnd, 5)}/item.htm?query=1&channel_id=${channel.length}`, dateTime: ts, extra: '' };
  }
}
