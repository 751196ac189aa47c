import { describe, expect, it } from 'vitest';
import { TimeBuckets } from '../src/index.js';

const H = 3_600_000;

describe('event-time buckets', () => {
  it('UTC hourly by default pattern', () => {
    const b = new TimeBuckets('dt=YYYY-MM-DD/hour=HH', 'UTC');
    const ts = Date.UTC(2024, 4, 1, 13, 59, 59, 999);
    expect(b.pathOf(ts)).toBe('dt=2024-05-01/hour=13');
    expect(b.partitionOf(ts)).toEqual({ path: 'dt=2024-05-01/hour=13', start: Date.UTC(2024, 4, 1, 13), end: Date.UTC(2024, 4, 1, 14) });
    expect(b.pathOf(ts + 1)).toBe('dt=2024-05-01/hour=14');
  });

  it('IANA zones: local date and hour, half-hour offsets', () => {
    const ny = new TimeBuckets('dt=YYYY-MM-DD/hour=HH', 'America/New_York');
    // 03:30 UTC on May 1st is 23:30 EDT on April 30th
    expect(ny.pathOf(Date.UTC(2024, 4, 1, 3, 30))).toBe('dt=2024-04-30/hour=23');
    const india = new TimeBuckets('dt=YYYY-MM-DD/hour=HH', 'Asia/Kolkata');
    // +05:30: local hours start at :30 UTC
    const r = india.partitionOf(Date.UTC(2024, 4, 1, 0, 45));
    expect(r).toEqual({ path: 'dt=2024-05-01/hour=06', start: Date.UTC(2024, 4, 1, 0, 30), end: Date.UTC(2024, 4, 1, 1, 30) });
  });

  it('daylight saving: 23 and 25 hour days, the repeated hour is one partition', () => {
    const day = new TimeBuckets('dt=YYYY-MM-DD', 'Europe/Berlin');
    const spring = day.partitionOf(Date.UTC(2024, 2, 31, 12));
    expect(spring.path).toBe('dt=2024-03-31');
    expect(spring.end - spring.start).toBe(23 * H);
    const autumn = day.partitionOf(Date.UTC(2024, 9, 27, 12));
    expect(autumn.end - autumn.start).toBe(25 * H);
    const hourly = new TimeBuckets('dt=YYYY-MM-DD/hour=HH', 'America/New_York');
    // 2024-11-03 01:00-02:00 happens twice (EDT then EST)
    const repeated = hourly.partitionOf(Date.UTC(2024, 10, 3, 5, 10));
    expect(repeated).toEqual({ path: 'dt=2024-11-03/hour=01', start: Date.UTC(2024, 10, 3, 5), end: Date.UTC(2024, 10, 3, 7) });
    // 2024-03-10 02:00 local does not exist: 01:xx EST is followed by 03:00 EDT
    const before = hourly.partitionOf(Date.UTC(2024, 2, 10, 6, 30));
    expect(before.path).toBe('dt=2024-03-10/hour=01');
    expect(hourly.partitionOf(before.end).path).toBe('dt=2024-03-10/hour=03');
  });

  it('rejects patterns without a date or hour and unknown zones', () => {
    expect(() => new TimeBuckets('year=YYYY', 'UTC')).toThrow(/DD/);
    expect(() => new TimeBuckets('dt=YYYY-MM-DD', 'Mars/Olympus')).toThrow(RangeError);
  });
});
