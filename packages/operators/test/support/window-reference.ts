/**
 * Brute-force window semantics (Flink's WindowOperator with the event-time trigger and allowed
 * lateness): every record is assigned to every window it belongs to and windows keep the raw
 * records. A window fires when the watermark passes end - 1, fires again for each record that
 * arrives within the lateness, and is dropped at end - 1 + lateness.
 */

import type { ReferenceOperator } from './reference.js';

export interface Event {
  key: string;
  ts: number;
  id: number;
}

export interface Fired {
  key: string;
  start: number;
  end: number;
  value: number[];
}

interface RefWindow {
  key: string;
  start: number;
  end: number;
  ids: number[];
  fired: boolean;
}

export class WindowReference implements ReferenceOperator<Event> {
  readonly out: Fired[] = [];
  readonly late: Event[] = [];
  private windows = new Map<string, RefWindow>();

  constructor(
    private readonly lateness: number,
    private readonly assign: (ts: number) => Array<[number, number]>,
  ) {}

  record(e: Event, ts: number, wm: number): void {
    let accepted = false;
    for (const [start, end] of this.assign(ts)) {
      if (end - 1 + this.lateness <= wm) continue;
      const id = `${e.key}/${start}`;
      let w = this.windows.get(id);
      if (w === undefined) this.windows.set(id, (w = { key: e.key, start, end, ids: [], fired: false }));
      w.ids.push(e.id);
      accepted = true;
      if (end - 1 <= wm) this.fire(w);
    }
    if (!accepted) this.late.push(e);
  }

  advance(wm: number): void {
    for (const [id, w] of this.windows) {
      if (!w.fired && w.end - 1 <= wm) this.fire(w);
      if (w.end - 1 + this.lateness <= wm) this.windows.delete(id);
    }
  }

  private fire(w: RefWindow): void {
    w.fired = true;
    this.out.push({ key: w.key, start: w.start, end: w.end, value: [...w.ids].sort((a, b) => a - b) });
  }
}

/** Every [start, end) of size `size` on the slide grid that contains `ts` (naive assignment). */
export function slidingAssign(size: number, slide: number, offset: number): (ts: number) => Array<[number, number]> {
  return (ts) => {
    const out: Array<[number, number]> = [];
    const lastStart = ts - ((((ts - offset) % slide) + slide) % slide);
    for (let start = lastStart; start > ts - size; start -= slide) out.push([start, start + size]);
    return out;
  };
}

interface RefSession {
  start: number;
  end: number;
  ids: number[];
}

/** Session windows with raw records: merge on overlap or touch, as Flink's MergingWindowSet. */
export class SessionReference implements ReferenceOperator<Event> {
  readonly out: Fired[] = [];
  readonly late: Event[] = [];
  private sessions = new Map<string, RefSession[]>();

  constructor(
    private readonly gap: number,
    private readonly lateness: number,
  ) {}

  record(e: Event, ts: number, wm: number): void {
    const list = this.sessions.get(e.key) ?? [];
    const touching = list.filter((s) => s.start <= ts + this.gap && s.end >= ts);
    const merged: RefSession = {
      start: Math.min(ts, ...touching.map((s) => s.start)),
      end: Math.max(ts + this.gap, ...touching.map((s) => s.end)),
      ids: [...touching.flatMap((s) => s.ids), e.id],
    };
    if (merged.end - 1 + this.lateness <= wm) {
      this.late.push(e);
      return;
    }
    this.sessions.set(e.key, [...list.filter((s) => !touching.includes(s)), merged]);
    if (merged.end - 1 <= wm) this.emit(e.key, merged);
  }

  advance(wm: number): void {
    // a session is due once: when the watermark first passes its end (it is never re-registered)
    for (const [key, list] of this.sessions) {
      for (const s of list) if (s.end - 1 <= wm && s.end - 1 > this.lastWm) this.emit(key, s);
      this.sessions.set(key, list.filter((s) => s.end - 1 + this.lateness > wm));
    }
    this.lastWm = wm;
  }

  private lastWm = Number.MIN_SAFE_INTEGER;

  private emit(key: string, s: RefSession): void {
    this.out.push({ key, start: s.start, end: s.end, value: [...s.ids].sort((a, b) => a - b) });
  }
}
