/** Brute-force dedupe and in-key ordering over the replayed watermarks. */

import type { ReferenceOperator } from './reference.js';
import type { Event } from './window-reference.js';

/** First record per id passes; the id is forgotten once the watermark reaches first ts + ttl. */
export class DedupeReference implements ReferenceOperator<Event> {
  readonly out: Event[] = [];
  readonly duplicates: Event[] = [];
  private readonly expiry = new Map<string, number>();

  constructor(
    private readonly idOf: (e: Event) => string,
    private readonly ttl: number,
  ) {}

  record(e: Event, ts: number, wm: number): void {
    const id = this.idOf(e);
    if ((this.expiry.get(id) ?? -Infinity) > wm) {
      this.duplicates.push(e);
      return;
    }
    this.expiry.set(id, ts + this.ttl);
    this.out.push(e);
  }

  advance(wm: number): void {
    for (const [id, at] of this.expiry) if (at <= wm) this.expiry.delete(id);
  }
}

/** Per key, records released sorted by (timestamp, arrival) once the watermark reaches them. */
export class OrderReference implements ReferenceOperator<Event> {
  readonly out = new Map<string, Event[]>();
  readonly late: Event[] = [];
  private buffered: Array<{ e: Event; ts: number; seq: number }> = [];
  private seq = 0;

  record(e: Event, ts: number, wm: number): void {
    if (ts <= wm) this.late.push(e);
    else this.buffered.push({ e, ts, seq: this.seq++ });
  }

  advance(wm: number): void {
    const due = this.buffered.filter((b) => b.ts <= wm).sort((a, b) => a.ts - b.ts || a.seq - b.seq);
    this.buffered = this.buffered.filter((b) => b.ts > wm);
    for (const { e } of due) this.out.set(e.key, [...(this.out.get(e.key) ?? []), e]);
  }
}
