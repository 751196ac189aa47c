/**
 * Benchmark harness: `npm run bench` runs every suite, `npm run bench -- <suite> ...` the named ones.
 * Each module of a suite runs in its own child process (a fresh heap: one suite's data cannot slow
 * another's GC) and exports `run(): Promise<BenchResult[]>`. The results replace that suite's
 * entries in bench/results/latest.json (others kept); the harness prints one comparison table and
 * redraws bench/results/latest.svg from the whole file. WEIR_BENCH_QUICK=1 shrinks sizes for smoke
 * runs and writes bench/results/quick.{json,svg} instead. Result shape: bench/README.md and
 * support/result.ts.
 */

import { fork } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderChart } from './support/chart.js';
import type { BenchResult, SuiteRun } from './support/result.js';
import { mergeRuns, readBenchFile, writeText } from './support/results-file.js';
import { QUICK } from './support/sizes.js';
import { formatTable } from './support/table.js';

/** Suite name -> module files (relative to bench/), each run in its own process. */
const SUITES: Record<string, string[]> = {
  core: ['core.ts', 'core-state.ts'],
  'embedded-kafka': ['embedded-kafka.ts'],
  files: ['formats.ts', 'ingest.ts', 'file-source.ts'],
  kafka: ['kafka-source.ts', 'kafka-sink.ts'],
  operators: ['operators-windows.ts', 'operators-horizons.ts', 'operators-lookup.ts'],
  nexmark: ['nexmark.ts'],
  scale: ['scale.ts'],
};

const here = dirname(fileURLToPath(import.meta.url));
const outBase = join(here, 'results', QUICK ? 'quick' : 'latest');

/** Runs one module in a child with this process's node flags (--expose-gc, tsx, conditions). */
function runModule(file: string): Promise<BenchResult[]> {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'support', 'suite-child.ts'), [join(here, file)], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let results: BenchResult[] | undefined;
    child.on('message', (m) => (results = m as BenchResult[]));
    child.on('error', reject);
    child.on('exit', (code, signal) => (results !== undefined ? resolve(results) : reject(new Error(`${file} exited ${signal ?? code} without results`))));
  });
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = wanted.filter((w) => !(w in SUITES));
  if (unknown.length > 0) throw new Error(`unknown suite(s) ${unknown.join(', ')}; known: ${Object.keys(SUITES).join(', ')}`);
  const suites = wanted.length > 0 ? wanted : Object.keys(SUITES);
  const fresh: BenchResult[] = [];
  const ran: Record<string, SuiteRun> = {};
  const failed: string[] = [];
  for (const suite of suites) {
    const at = new Date().toISOString();
    const loadBefore = loadavg()[0]!;
    const t0 = performance.now();
    let ok = true;
    for (const file of SUITES[suite]!) {
      process.stderr.write(`running ${suite}/${file} ...\n`);
      try {
        fresh.push(...(await runModule(file)).map((r) => ({ ...r, suite })));
      } catch (err) {
        ok = false;
        failed.push(`${suite}/${file}: ${(err as Error).message}`);
      }
    }
    // a suite that failed part-way keeps its previous entries
    if (ok) ran[suite] = { at, seconds: Math.round((performance.now() - t0) / 1000), node: process.version, cpus: cpus().length, loadBefore: Number(loadBefore.toFixed(2)), loadAfter: Number(loadavg()[0]!.toFixed(2)), quick: QUICK };
  }
  const file = mergeRuns(
    await readBenchFile(`${outBase}.json`),
    fresh.filter((r) => r.suite! in ran),
    ran,
    process.env.WEIR_BENCH_NOTE,
  );
  await writeText(`${outBase}.json`, JSON.stringify(file, null, 2) + '\n');
  await writeText(`${outBase}.svg`, renderChart(file, QUICK ? 'Weir benchmarks (quick smoke run, reduced sizes)' : undefined));
  console.log(formatTable(fresh));
  console.log(`\nwrote ${outBase}.json and ${outBase}.svg`);
  if (failed.length > 0) {
    console.error(`failed:\n  ${failed.join('\n  ')}`);
    process.exitCode = 1;
  }
}

await main();
