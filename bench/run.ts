/**
 * Benchmark harness: `npm run bench` runs every suite, `npm run bench -- <suite>` one.
 * Each suite module exports `run(): Promise<BenchResult[]>`; results are merged into
 * bench/results/latest.json (entries of other suites kept) and printed as a table.
 */

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchResult {
  id: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
}

/** Suite name -> module file (relative to bench/). */
const SUITES: Record<string, string[]> = {
  core: ['core.ts', 'core-state.ts'],
  'embedded-kafka': ['embedded-kafka.ts'],
  files: ['formats.ts', 'ingest.ts'],
  kafka: ['kafka-source.ts', 'kafka-sink.ts'],
  operators: ['operators-windows.ts', 'operators-horizons.ts', 'operators-lookup.ts'],
  nexmark: ['nexmark.ts'],
};

const here = dirname(fileURLToPath(import.meta.url));
const resultsFile = join(here, 'results', 'latest.json');

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = wanted.filter((w) => !(w in SUITES));
  if (unknown.length > 0) throw new Error(`unknown suite(s) ${unknown.join(', ')}; known: ${Object.keys(SUITES).join(', ')}`);
  const suites = wanted.length > 0 ? wanted : Object.keys(SUITES);
  const fresh: BenchResult[] = [];
  for (const suite of suites) {
    for (const file of SUITES[suite]!) {
      process.stderr.write(`running ${suite}/${file} ...\n`);
      const mod = (await import(join(here, file))) as { run: () => Promise<BenchResult[]> };
      fresh.push(...(await mod.run()));
    }
  }
  const previous = await readFile(resultsFile, 'utf8').then((t) => JSON.parse(t) as BenchResult[]).catch(() => [] as BenchResult[]);
  const freshIds = new Set(fresh.map((r) => r.id));
  const merged = [...previous.filter((r) => !freshIds.has(r.id)), ...fresh].sort((a, b) => a.id.localeCompare(b.id));
  await mkdir(dirname(resultsFile), { recursive: true });
  await writeFile(resultsFile, JSON.stringify(merged, null, 2) + '\n');
  printTable(fresh);
}

function printTable(rows: BenchResult[]): void {
  const fmt = (n: number | undefined) => (n === undefined ? '' : Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(3));
  const table = rows.map((r) => [r.id, fmt(r.value), r.unit, fmt(r.baseline), fmt(r.ratio)]);
  const header = ['id', 'value', 'unit', 'baseline', 'ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(line(row));
}

await main();
