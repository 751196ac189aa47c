/** Brute-force joins over the replayed watermarks: keep every accepted record, pair at the end. */

import type { ReferenceOperator } from './reference.js';
import type { Event } from './window-reference.js';

export interface Pair {
  l: number;
  r: number | null;
}

export type SideOf = (e: Event) => 'left' | 'right';

/** Records at or behind the watermark are late; the rest are kept in arrival order. */
class Accepting implements ReferenceOperator<Event> {
  readonly accepted: Array<{ e: Event; side: 'left' | 'right' }> = [];
  readonly late: Event[] = [];
  constructor(protected readonly sideOf: SideOf) {}
  record(e: Event, ts: number, wm: number): void {
    if (ts <= wm) this.late.push(e);
    else this.accepted.push({ e, side: this.sideOf(e) });
  }
  advance(): void {}
  protected sides(): { lefts: Event[]; rights: Event[] } {
    return { lefts: this.accepted.filter((a) => a.side === 'left').map((a) => a.e), rights: this.accepted.filter((a) => a.side === 'right').map((a) => a.e) };
  }
}

export class IntervalJoinReference extends Accepting {
  constructor(sideOf: SideOf, private readonly lower: number, private readonly upper: number) {
    super(sideOf);
  }
  pairs(): Pair[] {
    const { lefts, rights } = this.sides();
    return lefts.flatMap((l) => rights.filter((r) => r.key === l.key && r.ts >= l.ts + this.lower && r.ts <= l.ts + this.upper).map((r) => ({ l: l.id, r: r.id })));
  }
}

export class TemporalJoinReference extends Accepting {
  constructor(sideOf: SideOf, private readonly isDelete: (r: Event) => boolean) {
    super(sideOf);
  }
  pairs(): Pair[] {
    const { lefts, rights } = this.sides();
    const out: Pair[] = [];
    for (const l of lefts) {
      let version: Event | undefined;
      // the newest version at or before l.ts; among equal times the last to arrive
      for (const r of rights) if (r.key === l.key && r.ts <= l.ts && (version === undefined || r.ts >= version.ts)) version = r;
      if (version !== undefined && !this.isDelete(version)) out.push({ l: l.id, r: version.id });
    }
    return out;
  }
}

/** Per (key, window): records accepted while the window had not fired; pairs emitted when it fires. */
export class WindowJoinReference implements ReferenceOperator<Event> {
  readonly out: Pair[] = [];
  readonly late: Event[] = [];
  private readonly windows = new Map<string, { end: number; l: number[]; r: number[] }>();
  constructor(private readonly sideOf: SideOf, private readonly assign: (ts: number) => Array<[number, number]>) {}

  record(e: Event, ts: number, wm: number): void {
    let accepted = false;
    for (const [start, end] of this.assign(ts)) {
      if (end - 1 <= wm) continue;
      const id = `${e.key}/${start}`;
      const w = this.windows.get(id) ?? { end, l: [], r: [] };
      this.windows.set(id, w);
      (this.sideOf(e) === 'left' ? w.l : w.r).push(e.id);
      accepted = true;
    }
    if (!accepted) this.late.push(e);
  }

  advance(wm: number): void {
    for (const [id, w] of this.windows) {
      if (w.end - 1 > wm) continue;
      for (const l of w.l) for (const r of w.r) this.out.push({ l, r });
      this.windows.delete(id);
    }
  }
}

/** Every record pairs with the other side's live records of its key; live while ts + ttl > wm, expired on arrival = late. */
export class RegularJoinReference implements ReferenceOperator<Event> {
  readonly out: Pair[] = [];
  readonly late: Event[] = [];
  private stored: Array<{ e: Event; side: 'left' | 'right' }> = [];
  constructor(private readonly sideOf: SideOf, private readonly ttl: number) {}

  record(e: Event, ts: number, wm: number): void {
    if (ts + this.ttl <= wm) {
      this.late.push(e);
      return;
    }
    const side = this.sideOf(e);
    for (const s of this.stored) {
      if (s.e.key !== e.key || s.side === side || s.e.ts + this.ttl <= wm) continue;
      this.out.push(side === 'left' ? { l: e.id, r: s.e.id } : { l: s.e.id, r: e.id });
    }
    this.stored.push({ e, side });
  }

  advance(wm: number): void {
    this.stored = this.stored.filter((s) => s.e.ts + this.ttl > wm);
  }
}
