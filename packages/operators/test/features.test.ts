import fc from 'fast-check';
import { LATE_DATA, OptionsError, Pipeline, WatermarkStrategies, collectionSource, memorySink, silentLogger, type DeadLetter, type Stream } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { compileFeatures, defineFeatureGroup, featureStream, type FeatureGroupSpec, type FeatureRow } from '../src/features/index.js';
import { propertyRuns, sorted, type BackendKind } from './support/harness.js';
import type { ReferenceOperator } from './support/reference.js';
import { runCase } from './support/run-case.js';
import { streamCase, type StreamCase } from './support/window-cases.js';
import type { Event } from './support/window-reference.js';

interface Tx extends Event {
  x: number;
  y: number;
  u: string;
  w: number;
}
const enrich = (e: Event): Tx => ({ ...e, x: (e.id * 37) % 101, y: ((e.id * 13) % 17) - 8, u: `u${e.id % 13}`, w: e.id % 7 });

// two numeric and two distinct fields: two channels side by side in one keyed step
const group: FeatureGroupSpec<Tx> = defineFeatureGroup<Tx>({
  name: 'g',
  source: 'tx',
  key: 'key',
  resolution: '10ms',
  horizons: ['60ms', '10ms', '200ms'],
  filter: (t) => t.id % 5 !== 0,
  aggregations: [
    { op: 'count' },
    { op: 'sum', field: 'x' },
    { op: 'max', field: 'x' },
    { op: 'min', field: 'y' },
    { op: 'avg', field: 'y', name: 'mean_y' },
    { op: 'approx_distinct', field: 'u' },
    { op: 'approx_distinct', field: 'w' },
  ],
});

/** Brute force: each counted on-time record's row from the key's counted on-time records so far. */
class FeatureReference implements ReferenceOperator<Event> {
  readonly out: FeatureRow[] = [];
  readonly late: Tx[] = [];
  private readonly accepted = new Map<string, Tx[]>();

  record(e: Event, ts: number, wm: number): void {
    const t = enrich(e);
    if (!group.filter!(t)) return;
    if (ts <= wm) {
      this.late.push(t);
      return;
    }
    const list = [...(this.accepted.get(t.key) ?? []), t];
    this.accepted.set(t.key, list);
    const end = ts - (ts % 10) + 10;
    const horizons: Array<[string, number]> = [['10ms', 10], ['60ms', 60], ['200ms', 200]];
    const features: Record<string, number | null> = {};
    const inside = (h: number) => list.filter((r) => r.ts >= end - h && r.ts < end);
    const col = (name: string, f: (rs: Tx[]) => number | null) => {
      for (const [label, h] of horizons) features[`${name}_${label}`] = f(inside(h));
    };
    col('count', (rs) => rs.length);
    col('x_sum', (rs) => rs.reduce((a, r) => a + r.x, 0));
    col('x_max', (rs) => (rs.length === 0 ? null : Math.max(...rs.map((r) => r.x))));
    col('y_min', (rs) => (rs.length === 0 ? null : Math.min(...rs.map((r) => r.y))));
    col('mean_y', (rs) => (rs.length === 0 ? null : rs.reduce((a, r) => a + r.y, 0) / rs.length));
    col('u_approx_distinct', (rs) => new Set(rs.map((r) => r.u)).size);
    col('w_approx_distinct', (rs) => new Set(rs.map((r) => r.w)).size);
    this.out.push({ group: 'g', key: t.key, end, features });
  }

  advance(): void {}
}

async function check(c: StreamCase, backend: BackendKind, restore: boolean): Promise<void> {
  const ref = new FeatureReference();
  const got = await runCase<FeatureRow>(
    c,
    ref,
    (input: Stream<Event>) => {
      const main = featureStream(input.map('enrich', enrich), group);
      return { main, late: main.sideOutput(LATE_DATA) };
    },
    backend,
    restore,
  );
  // averages are compared after rounding: the operator sums slices, the reference sums records
  const round = (rows: FeatureRow[]) => rows.map((r) => ({ ...r, features: Object.fromEntries(Object.entries(r.features).map(([k, v]) => [k, v === null ? null : Math.round(v * 1e9) / 1e9])) }));
  expect(sorted(round(got.main))).toEqual(sorted(round(ref.out)));
  expect(sorted(got.late)).toEqual(sorted(ref.late));
}

describe('feature groups', () => {
  it('compiled group equals brute force: count, sum, max, min, avg, two distinct fields over 3 horizons, filter, late records', async () => {
    await fc.assert(fc.asyncProperty(streamCase, (c) => check(c, 'heap', false)), { numRuns: propertyRuns(20) });
  });

  it('each channel keeps its own state across a savepoint restore on classic-level', async () => {
    await fc.assert(fc.asyncProperty(streamCase, (c) => check(c, 'classic-level', true)), { numRuns: propertyRuns(5) });
  });

  it('a record with a bad field goes to the dead letters with the reason; a composite key joins its fields', async () => {
    type Login = { user: string; device: string; ms: unknown; ts: number };
    const logins: Login[] = [
      { user: 'ann', device: 'd1', ms: 10, ts: 1_000 },
      { user: 'ann', device: 'd1', ms: 'slow', ts: 2_000 },
      { user: 'ann', device: 'd2', ms: 30, ts: 3_000 },
      { user: 'ann', device: 'd1', ms: 50, ts: 4_000 },
    ];
    const p = new Pipeline({ name: 'bad-fields', logger: silentLogger });
    const src = p.source('logins', collectionSource(logins), { watermarks: WatermarkStrategies.forBoundedOutOfOrderness<Login>(0, (l) => l.ts) });
    const spec = { name: 'login', source: 'logins', key: ['user', 'device'], horizons: ['1m'], aggregations: [{ op: 'sum', field: 'ms' }], onInvalid: 'dead-letter' } as const;
    const out = memorySink<FeatureRow>();
    const dead = memorySink<DeadLetter>();
    compileFeatures({ logins: src }, [spec as unknown as FeatureGroupSpec<Login>]).login!.sink('out', out);
    p.deadLetters().sink('dead', dead);
    expect((await p.run()).outcome).toBe('finished');
    expect(sorted(out.committed.map((r) => [r.key, r.features.ms_sum_1m]))).toEqual(sorted([['ann|d1', 10], ['ann|d2', 30], ['ann|d1', 60]]));
    expect(dead.committed.map((d) => [d.step, d.error])).toEqual([['login.extract', expect.stringContaining("field 'ms' must be a finite number, got 'slow'")]]);
  });

  it('types the fields against the record: sum needs a number field, key and distinct a string or number field', () => {
    const typed = (): unknown[] => [
      // @ts-expect-error 'u' holds strings: sum needs a number field
      defineFeatureGroup<Tx>({ ...group, aggregations: [{ op: 'sum', field: 'u' }] }),
      // @ts-expect-error 'amount' is not a field of Tx
      defineFeatureGroup<Tx>({ ...group, aggregations: [{ op: 'max', field: 'amount' }] }),
      // @ts-expect-error count takes no field
      defineFeatureGroup<Tx>({ ...group, aggregations: [{ op: 'count', field: 'x' }] }),
      // @ts-expect-error '1 hour' is not a duration
      defineFeatureGroup<Tx>({ ...group, horizons: ['1 hour'] }),
    ];
    expect(typeof typed).toBe('function'); // checked by tsc (npm run typecheck), not run
  });

  it('rejects bad specs with every problem and a suggestion', () => {
    const bad = { name: 'spend', source: 'tx', key: 'user', horizons: ['1hr', '5m'], aggregations: [{ op: 'cnt' }, { op: 'sum' }], aggs: [] };
    expect(() => defineFeatureGroup(bad as never)).toThrow(OptionsError);
    const message = (() => {
      try {
        defineFeatureGroup(bad as never);
      } catch (e) {
        return String(e);
      }
    })();
    expect(message).toContain("horizons[0]: invalid duration '1hr'");
    expect(message).toContain("(did you mean '1h'?)");
    expect(message).toContain("aggregations[0].op: invalid value 'cnt'");
    expect(message).toContain("(did you mean 'count'?)");
    expect(message).toContain('aggregations[1].field: required');
    expect(message).toContain("unknown key 'aggs': renamed to 'aggregations'");

    const rules = { name: 'spend', source: 'tx', key: 'user', horizons: ['90s', '1h', '60m'], aggregations: [{ op: 'count' }, { op: 'count' }] };
    expect(() => defineFeatureGroup(rules as never)).toThrow(
      /horizons\[0\]: '90s' is not a multiple of the resolution '1m'[\s\S]*horizons\[2\]: '60m' is listed twice[\s\S]*aggregations\[1\]: feature name 'count' is already used/,
    );
    const p = new Pipeline({ name: 'unknown-source' });
    const src = p.source('tx', collectionSource<Tx>([]));
    expect(() => compileFeatures({ transactions: src }, [{ ...group, source: 'transaction' }])).toThrow(/source: invalid value 'transaction'.*did you mean 'transactions'/);
    expect(() => compileFeatures({ tx: src }, [group, group])).toThrow(/two groups are named 'g'/);
  });
});
