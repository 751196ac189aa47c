/** Number and target formatting shared by the table and the chart. */
import type { BenchResult, Target } from './result.js';

export function fmt(n: number | undefined): string {
  if (n === undefined) return '';
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return Number(n.toPrecision(3)).toString();
}

/** Large rates in k/M for narrow places (chart labels). */
export function fmtShort(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e6) return `${Number((n / 1e6).toPrecision(3))}M`;
  if (a >= 1e3) return `${Number((n / 1e3).toPrecision(3))}k`;
  return fmt(n);
}

export function fmtTarget(t: Target | undefined): string {
  return t === undefined ? '' : `${t.op === '>=' ? '≥' : '≤'} ${fmt(t.value)}`;
}

/** "min–max" of a result, if recorded. */
export function fmtRange(r: BenchResult): string {
  return r.min === undefined || r.max === undefined ? '' : `${fmt(r.min)}–${fmt(r.max)}`;
}
