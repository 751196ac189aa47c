/** Reading, merging and writing bench/results/*.json. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BenchFile, BenchResult, SuiteRun } from './result.js';

export async function readBenchFile(path: string): Promise<BenchFile> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return { suites: {}, results: [] };
  const parsed = JSON.parse(text) as BenchFile | BenchResult[];
  // files written before suites were recorded were a bare array of results
  return Array.isArray(parsed) ? { suites: {}, results: parsed } : parsed;
}

/**
 * The previous file with the suites that ran now replaced: all their old entries go (ids a suite
 * no longer reports do not linger), other suites' entries stay.
 */
export function mergeRuns(previous: BenchFile, fresh: BenchResult[], ran: Record<string, SuiteRun>, note?: string): BenchFile {
  const replaced = new Set(Object.keys(ran));
  const freshIds = new Set(fresh.map((r) => r.id));
  const kept = previous.results.filter((r) => !freshIds.has(r.id) && !(r.suite !== undefined && replaced.has(r.suite)));
  return {
    ...(note !== undefined ? { note } : previous.note !== undefined ? { note: previous.note } : {}),
    suites: { ...previous.suites, ...ran },
    results: [...kept, ...fresh].sort((a, b) => a.id.localeCompare(b.id)),
  };
}

export async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}
