/** Nexmark's three event kinds (person, auction, bid), as in the Flink / Beam Nexmark suites. */

export interface Person {
  id: number;
  name: string;
  emailAddress: string;
  creditCard: string;
  city: string;
  state: string;
  dateTime: number;
  extra: string;
}

export interface Auction {
  id: number;
  itemName: string;
  description: string;
  initialBid: number;
  reserve: number;
  dateTime: number;
  expires: number;
  seller: number;
  category: number;
  extra: string;
}

export interface Bid {
  auction: number;
  bidder: number;
  price: number;
  channel: string;
  url: string;
  dateTime: number;
  extra: string;
}

export type NexmarkEvent = { readonly kind: 'person'; readonly person: Person } | { readonly kind: 'auction'; readonly auction: Auction } | { readonly kind: 'bid'; readonly bid: Bid };
