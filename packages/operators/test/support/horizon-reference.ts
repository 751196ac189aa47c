/** Brute-force multi-horizon features from the raw on-time records of each key. */

import type { HorizonFeatures, MultiHorizonResult } from '../../src/index.js';
import type { ReferenceOperator } from './reference.js';
import type { Event } from './window-reference.js';

export interface HorizonSpec {
  slice: number;
  horizons: number[];
  numberOf: (e: Event) => number;
  distinctOf: (e: Event) => string;
}

export function featuresOf(records: readonly Event[], spec: HorizonSpec, end: number): HorizonFeatures[] {
  return [...spec.horizons].sort((a, b) => a - b).map((h) => {
    const inside = records.filter((e) => e.ts >= end - h && e.ts < end);
    const values = inside.map(spec.numberOf);
    return {
      horizonMs: h,
      count: inside.length,
      sum: values.reduce((a, b) => a + b, 0),
      min: values.length === 0 ? null : Math.min(...values),
      max: values.length === 0 ? null : Math.max(...values),
      distinct: new Set(inside.map(spec.distinctOf)).size,
    };
  });
}

export class HorizonReference implements ReferenceOperator<Event> {
  readonly out: MultiHorizonResult[] = [];
  readonly late: Event[] = [];
  readonly accepted = new Map<string, Event[]>();

  constructor(private readonly spec: HorizonSpec, private readonly every: number | undefined) {}

  record(e: Event, ts: number, wm: number): void {
    if (ts <= wm) {
      this.late.push(e);
      return;
    }
    const list = [...(this.accepted.get(e.key) ?? []), e];
    this.accepted.set(e.key, list);
    if (this.every !== undefined) return;
    const end = ts - (ts % this.spec.slice) + this.spec.slice;
    this.out.push({ key: e.key, end, horizons: featuresOf(list, this.spec, end) });
  }

  advance(): void {}

  /** Timer trigger: every tick that has a record within the longest horizon before it. */
  ticks(): MultiHorizonResult[] {
    const every = this.every!;
    const longest = Math.max(...this.spec.horizons);
    const out: MultiHorizonResult[] = [];
    for (const [key, list] of this.accepted) {
      const first = Math.min(...list.map((e) => e.ts));
      const last = Math.max(...list.map((e) => e.ts));
      for (let end = Math.floor(first / every) * every + every; end <= last + longest + every; end += every) {
        if (list.some((e) => e.ts >= end - longest && e.ts < end)) out.push({ key, end, horizons: featuresOf(list, this.spec, end) });
      }
    }
    return out;
  }
}
