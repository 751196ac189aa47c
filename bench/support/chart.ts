/**
 * bench/results/latest.svg from the results alone, so new suites appear without chart changes:
 * - every entry with a `ratio` in the ratio panel (log scale around parity, min–max whisker,
 *   target mark),
 * - other entries without a per-second unit (ms, shares) in a panel of single figures, each row
 *   on its own scale with its target mark,
 * - every per-second entry in a throughput panel: value beside its baseline and `reference`
 *   (e.g. Flink's published per-core Nexmark figure), each row on its own scale.
 * Colour says met (green) / missed (red) / no target (blue); the text says it too (✓ / ✗).
 */
import { fmt, fmtRange, fmtShort, fmtTarget } from './format.js';
import { meetsTarget, type BenchFile, type BenchResult } from './result.js';

const W = 1000;
const LABEL_X = 16;
const PLOT_X = 350;
const PLOT_W = 380;
const TEXT_X = PLOT_X + PLOT_W + 14;
const ROW_H = 32;
const LABEL_CHARS = 46;
const COLOURS = { met: '#2e7d32', missed: '#c62828', none: '#4a72b0', baseline: '#9e9e9e', reference: '#8e5bb5', ink: '#222', grey: '#666', grid: '#e4e4e4' };
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const n1 = (v: number) => Number(v.toFixed(1));

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${n1(x)}" y="${n1(y)}" ${attrs}>${esc(s)}</text>`;
}

function rect(x: number, y: number, w: number, h: number, fill: string): string {
  return `<rect x="${n1(x)}" y="${n1(y)}" width="${n1(Math.max(w, 1))}" height="${h}" fill="${fill}"/>`;
}

function line(x1: number, y1: number, x2: number, y2: number, stroke: string, attrs = ''): string {
  return `<line x1="${n1(x1)}" y1="${n1(y1)}" x2="${n1(x2)}" y2="${n1(y2)}" stroke="${stroke}" ${attrs}/>`;
}

function statusOf(r: BenchResult): { colour: string; mark: string } {
  const ok = meetsTarget(r);
  if (ok === undefined) return { colour: COLOURS.none, mark: '' };
  return ok ? { colour: COLOURS.met, mark: ' ✓' } : { colour: COLOURS.missed, mark: ' ✗' };
}

function targetText(r: BenchResult): string {
  return r.target === undefined ? 'no target' : `target ${fmtTarget(r.target)}${statusOf(r).mark}`;
}

function spread(r: BenchResult): string {
  const range = fmtRange(r);
  return [range === '' ? '' : `range ${range}`, r.runs === undefined ? '' : `${r.runs} runs`].filter((s) => s !== '').join(', ');
}

/** Left column: the id, and a grey second line. */
function rowLabel(y: number, r: BenchResult, sub: string): string {
  const id = r.id.length > LABEL_CHARS ? r.id.slice(0, LABEL_CHARS - 1) + '…' : r.id;
  return text(LABEL_X, y + 13, id, `font-size="12" fill="${COLOURS.ink}"`) + text(LABEL_X, y + 26, sub, `font-size="10" fill="${COLOURS.grey}"`);
}

/** Right column: a bold first line and a grey second line. */
function rowText(y: number, first: string, second: string): string {
  return text(TEXT_X, y + 13, first, `font-size="12" font-weight="bold" fill="${COLOURS.ink}"`) + text(TEXT_X, y + 26, second, `font-size="10" fill="${COLOURS.grey}"`);
}

function whisker(x1: number, x2: number, y: number): string {
  return line(x1, y, x2, y, COLOURS.ink, 'stroke-width="1.2"') + line(x1, y - 4, x1, y + 4, COLOURS.ink) + line(x2, y - 4, x2, y + 4, COLOURS.ink);
}

function targetMark(x: number, y: number): string {
  return line(x, y + 1, x, y + ROW_H - 3, COLOURS.ink, 'stroke-width="2" stroke-dasharray="3,2"');
}

/** Steps of `mantissas` × 10^e covering [lo, hi]. */
function logTicks(lo: number, hi: number, mantissas: number[]): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of mantissas) {
      const t = Number((m * 10 ** e).toPrecision(1));
      if (t >= lo * 0.999 && t <= hi * 1.001) ticks.push(t);
    }
  }
  return ticks;
}

interface LogAxis {
  lo: number;
  x: (v: number) => number;
  /** Grid lines and labels over the rows between top and bottom. */
  draw: (top: number, bottom: number) => string;
}

/** A log axis over the plot width whose ends are ticks just outside the values. */
function logAxis(values: number[], mantissas: number[], label: (t: number) => string, emphasise?: number): LogAxis {
  const vs = values.filter((v) => v > 0 && Number.isFinite(v));
  // room below the smallest value, so the shortest bar stays visible
  const ladder = logTicks(1e-4, 1e10, mantissas);
  const lo = [...ladder].reverse().find((t) => t <= Math.min(...vs) / 1.5) ?? 1e-4;
  const hi = ladder.find((t) => t >= Math.max(...vs) * 1.15) ?? 1e10;
  const x = (v: number) => PLOT_X + ((Math.log(Math.max(v, lo)) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * PLOT_W;
  const draw = (top: number, bottom: number) =>
    logTicks(lo, hi, mantissas)
      .map((t) => line(x(t), top, x(t), bottom, t === emphasise ? '#999' : COLOURS.grid, t === emphasise ? 'stroke-width="1.5"' : '') + text(x(t), top - 4, label(t), `font-size="10" fill="${COLOURS.grey}" text-anchor="middle"`))
      .join('');
  return { lo, x, draw };
}

interface Panel {
  title: string;
  subtitle: string;
  rows: BenchResult[];
  /** Shared axis drawn above the rows (log-scale panels), given the rows' top and bottom. */
  axis?: (top: number, bottom: number) => string;
  row: (r: BenchResult, y: number) => string;
}

function ratioPanel(rows: BenchResult[]): Panel {
  const axis = logAxis([1, ...rows.flatMap((r) => [r.ratio!, r.min ?? r.ratio!, r.max ?? r.ratio!, r.target?.value ?? 1])], [1, 2, 5], fmt, 1);
  const x = axis.x;
  return {
    title: 'Weir ÷ baseline, measured side by side',
    subtitle: 'bar: median of the per-round ratios (log scale, 1 = parity); whisker: min–max over the rounds; dashed: target',
    rows,
    axis: axis.draw,
    row: (r, y) => {
      const { colour } = statusOf(r);
      const [a, b] = [x(1), x(r.ratio!)].sort((p, q) => p - q);
      const mid = y + ROW_H / 2 - 1;
      return (
        rowLabel(y, r, `vs ${r.baselineLabel ?? 'baseline'} (${r.unit})`) +
        rect(a!, mid - 7, b! - a!, 14, colour) +
        (r.min !== undefined && r.max !== undefined ? whisker(x(r.min), x(r.max), mid) : '') +
        (r.target !== undefined ? targetMark(x(r.target.value), y) : '') +
        rowText(y, `${fmt(r.ratio)}× · ${targetText(r)}`, spread(r))
      );
    },
  };
}

/** Per-row linear scale from 0 to the row's largest figure. */
function rowScale(values: Array<number | undefined>): (v: number) => number {
  const top = Math.max(...values.filter((v): v is number => v !== undefined && Number.isFinite(v)), 1e-9) * 1.08;
  return (v: number) => PLOT_X + (Math.max(0, v) / top) * PLOT_W;
}

function singlePanel(rows: BenchResult[]): Panel {
  return {
    title: 'Single figures',
    subtitle: 'with a target: bar on its own scale from 0 to past the target (dashed); whisker: min–max over the rounds',
    rows,
    row: (r, y) => {
      const mid = y + ROW_H / 2 - 1;
      const first = `${fmt(r.value)} ${r.unit} · ${targetText(r)}`;
      // without a target a lone bar on its own scale says nothing: the number alone
      if (r.target === undefined) return rowLabel(y, r, r.unit) + rowText(y, first, spread(r));
      const x = rowScale([r.value, r.max, r.target.value]);
      return (
        rowLabel(y, r, r.unit) +
        line(PLOT_X, y + 2, PLOT_X, y + ROW_H - 4, COLOURS.grey) +
        rect(PLOT_X, mid - 7, x(r.value) - PLOT_X, 14, statusOf(r).colour) +
        (r.min !== undefined && r.max !== undefined ? whisker(x(r.min), x(r.max), mid) : '') +
        targetMark(x(r.target.value), y) +
        rowText(y, first, spread(r))
      );
    },
  };
}

function throughputPanel(rows: BenchResult[]): Panel {
  const axis = logAxis(
    rows.flatMap((r) => [r.value, r.baseline ?? r.value, r.reference?.value ?? r.value]),
    [1],
    fmtShort,
  );
  return {
    title: 'Throughput',
    subtitle: 'per second, log scale: Weir (blue), baseline measured in the same run (grey), published reference (purple)',
    rows,
    axis: axis.draw,
    row: (r, y) => {
      const bars: Array<[number, string]> = [[r.value, COLOURS.none]];
      if (r.baseline !== undefined) bars.push([r.baseline, COLOURS.baseline]);
      if (r.reference !== undefined) bars.push([r.reference.value, COLOURS.reference]);
      const h = Math.min(14, Math.floor((ROW_H - 6) / bars.length));
      const top = y + (ROW_H - h * bars.length) / 2 - 1;
      const others = [
        r.baseline !== undefined ? `${r.baselineLabel ?? 'baseline'} ${fmtShort(r.baseline)}` : '',
        r.reference !== undefined ? `${r.reference.label} ${fmtShort(r.reference.value)}` : '',
      ].filter((s) => s !== '');
      return (
        rowLabel(y, r, r.unit) +
        bars.map(([v, c], i) => rect(PLOT_X, top + i * h, axis.x(v) - PLOT_X, h - 2, c)).join('') +
        rowText(y, `${fmtShort(r.value)} ${r.unit}`, [...others, r.ratio === undefined ? spread(r) : ''].filter((s) => s !== '').join(' · '))
      );
    },
  };
}

/** One line about when and under what load the suites ran. */
function conditions(file: BenchFile): string {
  const runs = Object.values(file.suites);
  if (runs.length === 0) return '';
  const dates = runs.map((s) => s.at.slice(0, 10)).sort();
  const loads = runs.flatMap((s) => [s.loadBefore, s.loadAfter]);
  const cpus = runs[0]!.cpus;
  const day = dates[0] === dates[dates.length - 1] ? dates[0]! : `${dates[0]} to ${dates[dates.length - 1]}`;
  const busy = Math.max(...loads) > cpus ? ' (other processes were competing for the CPUs)' : '';
  return `measured ${day} · ${runs[0]!.node} · ${cpus} CPUs · 1-min load average ${fmt(Math.min(...loads))}–${fmt(Math.max(...loads))}${busy}`;
}

export function renderChart(file: BenchFile, title = 'Weir benchmarks'): string {
  const results = file.results;
  const isRate = (r: BenchResult) => r.unit.endsWith('/s');
  const panels = [
    ratioPanel(results.filter((r) => r.ratio !== undefined)),
    singlePanel(results.filter((r) => r.ratio === undefined && !isRate(r))),
    throughputPanel(results.filter(isRate)),
  ].filter((p) => p.rows.length > 0);

  const out: string[] = [];
  let y = 30;
  out.push(text(LABEL_X, y, title, `font-size="20" font-weight="bold" fill="${COLOURS.ink}"`));
  y += 20;
  out.push(text(LABEL_X, y, conditions(file), `font-size="11" fill="${COLOURS.grey}"`));
  if (file.note !== undefined) out.push(text(LABEL_X, (y += 16), file.note, `font-size="11" fill="${COLOURS.grey}"`));
  y += 10;
  for (const p of panels) {
    y += 30;
    out.push(text(LABEL_X, y, p.title, `font-size="15" font-weight="bold" fill="${COLOURS.ink}"`));
    out.push(text(LABEL_X, (y += 16), p.subtitle, `font-size="11" fill="${COLOURS.grey}"`));
    y += p.axis !== undefined ? 24 : 8;
    const top = y;
    const stripes = p.rows.map((_, i) => (i % 2 === 1 ? rect(0, top + i * ROW_H, W, ROW_H, '#f7f7f7') : ''));
    const rows = p.rows.map((r, i) => p.row(r, top + i * ROW_H));
    y += p.rows.length * ROW_H;
    // stripes first, then the axis grid, then the rows' marks on top
    out.push(stripes.join(''));
    if (p.axis !== undefined) out.push(p.axis(top, y));
    out.push(rows.join('\n'));
  }
  const height = y + 20;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="${FONT}">`,
    `<rect width="${W}" height="${height}" fill="#fff"/>`,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}
