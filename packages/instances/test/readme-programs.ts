/**
 * The README's programs, written into a directory inside the repository (so @weir packages and
 * tsx resolve) and run as written, except that `node job.js` runs the TypeScript source
 * through tsx, and an oracle for the job's output: every committed record of every split once,
 * offsets 0..k-1 without a gap.
 */

import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { localCheckpointStorage } from '@weir/core';

export const repoRoot = join(import.meta.dirname, '..', '..', '..');
export const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** How the tests run a TypeScript program (the README says `node job.js`). */
export const nodeTs = (file: string): string[] => [process.execPath, '--conditions=weir-source', '--import', tsx, file];

export async function readme(): Promise<string> {
  return readFile(join(import.meta.dirname, '..', 'README.md'), 'utf8');
}

/** The code block whose first line is `// <name> —`. */
export function block(md: string, name: string): string {
  const found = [...md.matchAll(/```(?:ts|sh)\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.startsWith(`// ${name} `));
  if (found === undefined) throw new Error(`README.md has no code block starting with // ${name}`);
  return found;
}

/** The flags of the README's `npx weir-instances …` line (before `--`). */
export function cliFlags(md: string): string[] {
  const line = md.split('\n').find((l) => l.startsWith('npx weir-instances '));
  if (line === undefined) throw new Error('README.md has no `npx weir-instances` line');
  const before = line.slice('npx weir-instances '.length).split(' -- ')[0]!;
  return before.split(/\s+/).map((a) => a.replace(/^'(.*)'$/, '$1'));
}

/** A fresh working directory with the README's job.ts (and rescale.ts, its `job.js` run through tsx). */
export async function workDir(tag: string): Promise<string> {
  const dir = join(repoRoot, 'tmp', `instances-${tag}-${process.pid}-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  const md = await readme();
  await writeFile(join(dir, 'job.ts'), block(md, 'job.ts'));
  const driver = block(md, 'rescale.ts');
  const adapted = driver.replace("[process.execPath, 'job.js']", JSON.stringify(nodeTs('job.ts')));
  if (adapted === driver) throw new Error("README's rescale.ts no longer starts [process.execPath, 'job.js']");
  await writeFile(join(dir, 'rescale.ts'), adapted);
  return dir;
}

/**
 * The oracle for the README job's committed output: per split, offsets 0..k-1 each exactly once,
 * where k is the split's position in the final savepoint set (what the next start continues
 * from): nothing lost, nothing repeated, nothing read but left uncommitted. Every one of the 6
 * splits must be in the set. Returns the record count.
 */
export async function checkExactlyOnce(dir: string, finalSet: readonly string[]): Promise<number> {
  const positions = new Map<number, number>();
  for (const path of finalSet) {
    const cp = await localCheckpointStorage(join(dir, 'ckpt')).load(resolve(dir, path));
    const snap = cp.metadata.steps.numbers?.operator as { splits: Array<{ index: number; offset: number }> } | undefined;
    for (const s of snap?.splits ?? []) {
      if (positions.has(s.index)) throw new Error(`split ${s.index} is in two savepoints of the final set`);
      positions.set(s.index, s.offset);
    }
  }
  if (positions.size !== 6) throw new Error(`the final savepoint set holds splits ${[...positions.keys()].sort().join(', ')}, not all 6`);
  const offsets = new Map<number, number[]>([...positions.keys()].map((s) => [s, []]));
  const outDir = join(dir, 'out');
  for (const f of await readdir(outDir)) {
    if (f.startsWith('.') || !f.endsWith('.jsonl')) continue; // pending files of a crashed attempt are hidden
    for (const line of (await readFile(join(outDir, f), 'utf8')).split('\n')) {
      if (line === '') continue;
      const { s, o } = JSON.parse(line) as { s: number; o: number };
      const list = offsets.get(s);
      if (list === undefined) throw new Error(`a record of split ${s}, which the job does not have`);
      list.push(o);
    }
  }
  let records = 0;
  for (const [s, list] of offsets) {
    list.sort((a, b) => a - b);
    const bad = list.findIndex((o, i) => o !== i);
    if (bad >= 0) throw new Error(`split ${s}: offset ${list[bad]} at position ${bad} (${bad > 0 && list[bad] === list[bad - 1] ? 'a duplicate' : 'a gap'}); ${list.length} records`);
    if (list.length !== positions.get(s)) throw new Error(`split ${s}: ${list.length} records committed, but the final savepoint continues at offset ${positions.get(s)}`);
    records += list.length;
  }
  return records;
}
