/**
 * The check: regenerate the input, compute every feature row by brute force (each counted record
 * against all counted records of its key that arrived so far), and compare with the committed
 * files. Exact for count, sum, min, max and avg; `approx_distinct` is a HyperLogLog estimate once a
 * horizon holds more than 32 distinct values (precision 12: 1.6 % standard error; at a few dozen
 * values two of them sharing a register undercounts by one), so there it must be within 5 % + 2.
 */

import { join } from 'node:path';
import type { DeadLetter } from '@weir/core';
import type { FeatureGroupSpec, FeatureRow } from '@weir/operators/features';
import { committedJsonLines } from '../support/committed-lines.js';
import { LOGINS, TRANSACTIONS, loginAt, transactionAt } from './events.js';
import { loginFailures, userSpend } from './groups.js';

const UNIT: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const ms = (d: string) => Number(/^\d+/.exec(d)![0]) * UNIT[/[a-z]+$/.exec(d)![0]]!;

interface Expected {
  rows: FeatureRow[];
  approx: Set<string>;
  invalid: number;
}

/** Brute-force rows of one group over records in arrival order (no record is late: jitter 20 s < bound 30 s). */
export function bruteForce<T extends { ts: number }>(spec: FeatureGroupSpec<T>, records: readonly T[]): Expected {
  const keyFields = typeof spec.key === 'string' ? [spec.key] : [...spec.key];
  const slice = ms(spec.resolution ?? '1m');
  const horizons = [...spec.horizons].sort((a, b) => ms(a) - ms(b));
  const numeric = spec.aggregations.flatMap((a) => (a.op === 'count' ? [] : a.op === 'approx_distinct' ? [] : [a.field as string]));
  const byKey = new Map<string, T[]>();
  const rows: FeatureRow[] = [];
  const approx = new Set<string>();
  let invalid = 0;
  for (const r of records) {
    if (spec.filter !== undefined && !spec.filter(r)) continue;
    const rec = r as unknown as Record<string, unknown>;
    if (numeric.some((f) => typeof rec[f] !== 'number')) {
      invalid++;
      continue;
    }
    const key = keyFields.map((f) => String(rec[f])).join('|');
    const seen = byKey.get(key) ?? [];
    seen.push(r);
    byKey.set(key, seen);
    const end = r.ts - (r.ts % slice) + slice;
    const inside = new Map(horizons.map((h) => [h, seen.filter((x) => x.ts >= end - ms(h) && x.ts < end).map((x) => x as unknown as Record<string, unknown>)]));
    const features: Record<string, number | null> = {};
    for (const a of spec.aggregations) {
      const name = a.name ?? (a.op === 'count' ? 'count' : `${a.field as string}_${a.op}`);
      for (const h of horizons) {
        const records = inside.get(h)!;
        const values = a.op === 'count' ? [] : records.map((x) => x[a.field as string]);
        const nums = values as number[];
        const col = `${name}_${h}`;
        if (a.op === 'count') features[col] = records.length;
        else if (a.op === 'sum') features[col] = nums.reduce((s, v) => s + v, 0);
        else if (a.op === 'min') features[col] = nums.length === 0 ? null : Math.min(...nums);
        else if (a.op === 'max') features[col] = nums.length === 0 ? null : Math.max(...nums);
        else if (a.op === 'avg') features[col] = nums.length === 0 ? null : nums.reduce((s, v) => s + v, 0) / nums.length;
        else {
          features[col] = new Set(values).size;
          approx.add(col);
        }
      }
    }
    rows.push({ group: spec.name, key, end, features });
  }
  return { rows, approx, invalid };
}

const round = (v: number | null) => (v === null ? null : Math.round(v * 1e6) / 1e6);

/** Problems found comparing a group's committed rows with brute force (empty when they agree). */
export function compareRows(actual: readonly FeatureRow[], expected: Expected): { problems: string[]; approxMaxError: number } {
  const problems: string[] = [];
  // rows match on everything but the approximate columns; those are then checked within tolerance
  const exactPart = (r: FeatureRow) => JSON.stringify([r.group, r.key, r.end, Object.entries(r.features).filter(([k]) => !expected.approx.has(k)).map(([k, v]) => [k, round(v)])]);
  const waiting = new Map<string, FeatureRow[]>();
  for (const r of expected.rows) waiting.set(exactPart(r), [...(waiting.get(exactPart(r)) ?? []), r]);
  let approxMaxError = 0;
  for (const r of actual) {
    const candidates = waiting.get(exactPart(r));
    if (candidates === undefined || candidates.length === 0) {
      if (problems.length < 10) problems.push(`unexpected row ${JSON.stringify(r)}`);
      continue;
    }
    // the candidate whose distinct counts are closest (rows of one key in one slice differ only there)
    let best = 0;
    let bestErr = Infinity;
    candidates.forEach((c, i) => {
      const err = Math.max(0, ...[...expected.approx].map((k) => Math.abs((r.features[k] ?? 0) - (c.features[k] ?? 0)) / Math.max(1, c.features[k] ?? 0)));
      if (err < bestErr) [best, bestErr] = [i, err];
    });
    const match = candidates.splice(best, 1)[0]!;
    for (const k of expected.approx) {
      const exact = match.features[k]!;
      const got = r.features[k]!;
      approxMaxError = Math.max(approxMaxError, Math.abs(got - exact) / Math.max(1, exact));
      if (Math.abs(got - exact) > 0.05 * exact + 2) problems.push(`${r.group} ${r.key} @${r.end}: ${k} = ${got}, exact ${exact}`);
    }
  }
  const missing = [...waiting.values()].reduce((n, l) => n + l.length, 0);
  if (missing > 0) problems.push(`${missing} expected rows missing, e.g. ${JSON.stringify([...waiting.values()].find((l) => l.length > 0)![0])}`);
  return { problems, approxMaxError };
}

export interface FeatureCheck {
  problems: string[];
  rows: Record<string, number>;
  deadLetters: number;
  approxMaxError: number;
}

/** Check everything the job committed under `dir`. */
export function checkFeatureOutput(dir: string): FeatureCheck {
  const transactions = Array.from({ length: TRANSACTIONS }, (_, o) => transactionAt(o));
  const logins = Array.from({ length: LOGINS }, (_, o) => loginAt(o));
  const problems: string[] = [];
  const rows: Record<string, number> = {};
  let approxMaxError = 0;
  let invalid = 0;
  const groups = [
    { name: userSpend.name, expected: bruteForce(userSpend, transactions) },
    { name: loginFailures.name, expected: bruteForce(loginFailures, logins) },
  ];
  for (const { name, expected } of groups) {
    const actual = committedJsonLines<FeatureRow>(join(dir, name));
    rows[name] = actual.length;
    if (actual.length !== expected.rows.length) problems.push(`${name}: ${actual.length} rows, expected ${expected.rows.length}`);
    const c = compareRows(actual, expected);
    problems.push(...c.problems.map((p) => `${name}: ${p}`));
    approxMaxError = Math.max(approxMaxError, c.approxMaxError);
    invalid += expected.invalid;
  }
  const dead = committedJsonLines<DeadLetter<{ txId: string }>>(join(dir, 'dead-letters'));
  if (dead.length !== invalid) problems.push(`${dead.length} dead letters, expected ${invalid}`);
  for (const d of dead) if (d.step !== 'user_spend.extract' || !d.error.includes("field 'amount' must be a finite number")) problems.push(`unexpected dead letter ${JSON.stringify(d)}`);
  return { problems, rows, deadLetters: dead.length, approxMaxError };
}
