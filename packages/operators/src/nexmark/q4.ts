/**
 * q4 average closing price per category: an auction closes at `expires` with its highest bid placed
 * between its start and `expires`; per category the running average of closing prices is emitted
 * whenever an auction of it closes (the last value per category is the SQL answer).
 *
 * State per auction id: ValueState `auction`, ValueState `best` (highest qualifying price), MapState
 * `early` (bids that arrived before their auction: timestamp -> prices); timers at `expires`
 * (close) and at an early bid's time (drop it if its auction never came: it cannot qualify).
 */

import type { KeyedProcessFunction, MapState, Stream, ValueState } from '@weir/core';
import { appendAt, removeWhere } from '../timestamp-buffer.js';
import type { Auction, Bid, NexmarkEvent } from './model.js';

type AuctionOrBid = { kind: 'auction'; auction: Auction } | { kind: 'bid'; bid: Bid };

function closingPrices(): KeyedProcessFunction<string, AuctionOrBid, { category: number; price: number }> {
  let auction: ValueState<Auction>;
  let best: ValueState<number>;
  let early: MapState<number, number[]>;
  const qualifies = (a: Auction, ts: number) => ts >= a.dateTime && ts <= a.expires;
  return {
    open(ctx) {
      auction = ctx.state.valueState<Auction>('auction');
      best = ctx.state.valueState<number>('best');
      early = ctx.state.mapState<number, number[]>('early');
    },
    processElement(e, ctx) {
      const offer = (price: number) => {
        if (price > (best.value() ?? -Infinity)) best.update(price);
      };
      if (e.kind === 'auction') {
        auction.update(e.auction);
        for (const [ts, prices] of early.entries()) if (qualifies(e.auction, ts)) prices.forEach(offer);
        early.clear();
        ctx.timers.registerEventTimeTimer(e.auction.expires);
        return;
      }
      const a = auction.value();
      if (a === undefined) {
        if (appendAt(early, e.bid.dateTime, e.bid.price)) ctx.timers.registerEventTimeTimer(e.bid.dateTime);
      } else if (qualifies(a, e.bid.dateTime)) {
        offer(e.bid.price);
      }
    },
    onTimer(timestamp, ctx) {
      const a = auction.value();
      if (a === undefined) {
        // an auction starts before its bids, so by now it would have arrived
        const wm = ctx.timers.currentWatermark();
        removeWhere(early, (ts) => ts <= wm);
        return;
      }
      if (timestamp !== a.expires) return;
      const price = best.value();
      if (price !== undefined) ctx.emit({ category: a.category, price });
      auction.clear();
      best.clear();
    },
  };
}

export function q4(events: Stream<NexmarkEvent>): Stream<{ category: number; avg: number }> {
  return events
    .flatMap('q4.auctions-and-bids', (e): AuctionOrBid[] => (e.kind === 'person' ? [] : [e]))
    .keyBy((e) => (e.kind === 'auction' ? e.auction.id : e.bid.auction))
    .process('q4.closing-prices', closingPrices)
    .keyBy((c) => c.category)
    .process('q4.average', () => {
      let totals: ValueState<{ sum: number; n: number }>;
      return {
        open: (ctx) => void (totals = ctx.state.valueState<{ sum: number; n: number }>('totals')),
        processElement(c, ctx) {
          const t = totals.value() ?? { sum: 0, n: 0 };
          const next = { sum: t.sum + c.price, n: t.n + 1 };
          totals.update(next);
          ctx.emit({ category: c.category, avg: next.sum / next.n });
        },
      };
    });
}
