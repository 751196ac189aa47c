/**
 * Event-time bucketing: a timestamp -> a partition path like `dt=2024-05-01/hour=13` in an
 * explicit time zone (UTC by default, IANA names through Intl), and the exact time range of
 * that partition (daylight-saving days have 23 or 25 hours; a repeated local hour is one
 * partition spanning both).
 */

const SLOT = 15 * 60_000; // every modern zone offset is a multiple of 15 minutes
const TOKENS = /YYYY|MM|DD|HH/g;

export interface PartitionRange {
  readonly path: string;
  /** Inclusive start (ms). */
  readonly start: number;
  /** Exclusive end (ms). */
  readonly end: number;
}

interface SlotInfo {
  readonly path: string;
  /** Local wall-clock minutes since the start of the partition, at the slot start. */
  readonly wallMinutes: number;
}

export class TimeBuckets {
  readonly granularity: 'hour' | 'day';
  private readonly fmt: Intl.DateTimeFormat;
  private readonly slots = new Map<number, SlotInfo>();
  private readonly ranges = new Map<string, PartitionRange>();

  constructor(
    readonly pattern: string,
    readonly timeZone: string,
  ) {
    if (pattern.includes('HH')) this.granularity = 'hour';
    else if (pattern.includes('DD')) this.granularity = 'day';
    else throw new Error(`partition pattern ${JSON.stringify(pattern)} needs DD (daily) or HH (hourly)`);
    // throws a RangeError for unknown zones
    this.fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  }

  private slot(slotStart: number): SlotInfo {
    let info = this.slots.get(slotStart);
    if (info !== undefined) return info;
    const f: Record<string, string> = {};
    for (const p of this.fmt.formatToParts(slotStart)) f[p.type] = p.value;
    const year = f.year!.padStart(4, '0');
    const path = this.pattern.replace(TOKENS, (t) => (t === 'YYYY' ? year : t === 'MM' ? f.month! : t === 'DD' ? f.day! : f.hour!));
    const minute = Number(f.minute);
    info = { path, wallMinutes: this.granularity === 'hour' ? minute : Number(f.hour) * 60 + minute };
    if (this.slots.size > 50_000) this.slots.clear();
    this.slots.set(slotStart, info);
    return info;
  }

  /** The partition path of a timestamp. */
  pathOf(ts: number): string {
    return this.slot(Math.floor(ts / SLOT) * SLOT).path;
  }

  /** The partition containing `ts`, with its exact range. */
  partitionOf(ts: number): PartitionRange {
    const slotStart = Math.floor(ts / SLOT) * SLOT;
    const info = this.slot(slotStart);
    const cached = this.ranges.get(info.path);
    if (cached !== undefined && cached.start <= ts && ts < cached.end) return cached;
    let start = slotStart - info.wallMinutes * 60_000;
    for (let i = 0; i < 200 && this.slot(start).path !== info.path; i++) start += SLOT;
    for (let i = 0; i < 200 && this.slot(start - SLOT).path === info.path; i++) start -= SLOT;
    let end = start + (this.granularity === 'hour' ? 3_600_000 : 86_400_000);
    for (let i = 0; i < 200 && end > start + SLOT && this.slot(end - SLOT).path !== info.path; i++) end -= SLOT;
    for (let i = 0; i < 200 && this.slot(end).path === info.path; i++) end += SLOT;
    const range = { path: info.path, start, end };
    if (this.ranges.size > 50_000) this.ranges.clear();
    this.ranges.set(info.path, range);
    return range;
  }
}
