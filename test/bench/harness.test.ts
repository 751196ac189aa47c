// The bench harness's own code (aggregation, merging, table, chart) on synthetic results, so CI
// covers it without running the slow benchmarks.
import { describe, expect, it } from 'vitest';
import { renderChart } from '../../bench/support/chart.js';
import type { BenchFile, BenchResult, SuiteRun } from '../../bench/support/result.js';
import { mergeRuns } from '../../bench/support/results-file.js';
import { alternate, comparison, measured, summarize } from '../../bench/support/stats.js';
import { formatTable } from '../../bench/support/table.js';

const suiteRun: SuiteRun = { at: '2026-12-03T13:00:00.000Z', seconds: 60, node: 'v20.0.0', cpus: 2, loadBefore: 3.5, loadAfter: 4.1, quick: false };

describe('aggregation', () => {
  it('takes the median, min and max of odd and even sample counts', () => {
    expect(summarize([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5, runs: 3 });
    expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 });
    expect(() => summarize([])).toThrow();
  });

  it('reports the median of per-round ratios, not the ratio of medians, with their min and max', () => {
    // per-round ratios 2, 0.5, 1.5 -> median 1.5; medians 20 / 20 would say 1
    const r = comparison('x.vs', 'records/s', [20, 10, 30], [10, 20, 20], { target: { op: '>=', value: 0.8 } });
    expect(r).toMatchObject({ value: 20, baseline: 20, ratio: 1.5, min: 0.5, max: 2, runs: 3, target: { op: '>=', value: 0.8 } });
    expect(() => comparison('x', 'u', [1], [1, 2])).toThrow();
  });

  it('records min and max of a figure without baseline', () => {
    expect(measured('x.share', 'ratio', [0.3, 0.2, 0.25])).toEqual({ id: 'x.share', value: 0.25, unit: 'ratio', min: 0.2, max: 0.3, runs: 3 });
  });

  it('rotates the order of the sides each round and drops warm-up rounds', async () => {
    const order: string[] = [];
    const side = (name: string) => (round: number) => (order.push(`${name}${round}`), round);
    const r = await alternate({ a: side('a'), b: side('b'), c: side('c') }, { rounds: 2, warmup: 1 });
    expect(order).toEqual(['a0', 'b0', 'c0', 'b1', 'c1', 'a1', 'c2', 'a2', 'b2']);
    expect(r).toEqual({ a: [1, 2], b: [1, 2], c: [1, 2] });
  });
});

describe('results file', () => {
  it('replaces every entry of a suite that ran and keeps the others', () => {
    const previous: BenchFile = {
      suites: { core: suiteRun, kafka: suiteRun },
      results: [
        { id: 'core.old-id', value: 1, unit: 'ms', suite: 'core' },
        { id: 'core.kept-id', value: 2, unit: 'ms', suite: 'core' },
        { id: 'kafka.x', value: 3, unit: 'ms', suite: 'kafka' },
      ],
    };
    const later = { ...suiteRun, at: '2026-12-04T00:00:00.000Z' };
    const merged = mergeRuns(previous, [{ id: 'core.kept-id', value: 9, unit: 'ms', suite: 'core' }], { core: later });
    expect(merged.results.map((r) => [r.id, r.value])).toEqual([
      ['core.kept-id', 9],
      ['kafka.x', 3],
    ]);
    expect(merged.suites.core!.at).toBe(later.at);
    expect(merged.suites.kafka).toEqual(suiteRun);
  });
});

const file: BenchFile = {
  suites: { core: suiteRun },
  note: 'other engineers’ tests & builds were running',
  results: [
    { id: 'core.chain-vs-loop', value: 7e6, unit: 'records/s', baseline: 1.2e7, ratio: 0.58, min: 0.52, max: 0.63, runs: 5, baselineLabel: 'hand loop' },
    { id: 'kafka.pipeline-vs-handloop', value: 8e4, unit: 'records/s', baseline: 6e4, ratio: 1.3, min: 1.2, max: 1.4, runs: 5, target: { op: '>=', value: 0.8 } },
    { id: 'kafka.slow-vs-fast', value: 1, unit: 'records/s', baseline: 2, ratio: 0.5, target: { op: '>=', value: 0.8 } },
    { id: 'core.checkpoint-pause-ms', value: 0.3, unit: 'ms', target: { op: '<=', value: 50 } },
    { id: 'core.checkpoint-persist-ms.heap', value: 1976, unit: 'ms' },
    // a later suite: a published reference figure beside ours, no chart change needed
    { id: 'nexmark.q5-events-per-s-per-core', value: 4e5, unit: 'events/s', reference: { value: 1.1e6, label: 'Flink' } },
  ],
};

describe('chart', () => {
  const svg = renderChart(file);

  it('is one SVG document with every id and escaped text', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const r of file.results) expect(svg).toContain(r.id);
    expect(svg).toContain('tests &amp; builds');
    expect(svg).not.toMatch(/&(?!amp;|lt;|gt;)/);
    expect(svg).not.toContain('NaN');
  });

  it('marks targets met and missed, and shows references', () => {
    expect(svg).toContain('1.3× · target ≥ 0.8 ✓');
    expect(svg).toContain('0.5× · target ≥ 0.8 ✗');
    expect(svg).toContain('target ≤ 50 ✓');
    expect(svg).toContain('Flink 1.1M');
    expect(svg).toContain('other processes were competing');
    // one dashed target mark per entry with a target
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(3);
  });

  it('draws only the panels that have entries', () => {
    const only: BenchResult[] = [{ id: 'a.b', value: 1, unit: 'ms' }];
    const s = renderChart({ suites: {}, results: only });
    expect(s).toContain('Single figures');
    expect(s).not.toContain('Throughput');
    expect(s).not.toContain('Weir ÷ baseline');
  });
});

describe('table', () => {
  it('prints one aligned row per result with its target status', () => {
    const lines = formatTable(file.results).split('\n');
    expect(lines).toHaveLength(2 + file.results.length);
    expect(lines.find((l) => l.startsWith('kafka.slow-vs-fast'))).toMatch(/≥ 0\.8\s+NO$/);
    expect(lines.find((l) => l.startsWith('kafka.pipeline-vs-handloop'))).toMatch(/1\.2–1\.4\s+5\s+≥ 0\.8\s+yes$/);
  });
});
