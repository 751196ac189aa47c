/** The comparison table `npm run bench` prints. */
import { fmt, fmtRange, fmtTarget } from './format.js';
import { meetsTarget, type BenchResult } from './result.js';

export function formatTable(rows: readonly BenchResult[]): string {
  const header = ['id', 'value', 'unit', 'baseline', 'ratio', 'min–max', 'runs', 'target', 'met'];
  const cells = rows.map((r) => {
    const ok = meetsTarget(r);
    return [r.id, fmt(r.value), r.unit, fmt(r.baseline), fmt(r.ratio), fmtRange(r), r.runs?.toString() ?? '', fmtTarget(r.target), ok === undefined ? '' : ok ? 'yes' : 'NO'];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const leftAligned = new Set([0, 2, 7, 8]);
  const line = (row: string[]) => row.map((c, i) => (leftAligned.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
