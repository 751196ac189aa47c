import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WindowResult } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../support/temp-dirs.js';
import { SPLITS, recordAt, tierOf } from './crash-job.js';

const JOB = fileURLToPath(new URL('./crash-job.ts', import.meta.url));
const KILLS = Number(process.env.WEIR_CRASH_KILLS ?? 3);
const PER_SPLIT = 6000; // 4 s of input at 1500/s per split: the kills come before the end

function runChild(args: string[], killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=weir-source', '--import', 'tsx', JOB, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

async function committed<T>(dir: string): Promise<{ rows: T[]; hidden: string[] }> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const rows: T[] = [];
  for (const n of names.filter((n) => !n.startsWith('.'))) for (const l of (await readFile(join(dir, n), 'utf8')).split('\n')) if (l) rows.push(JSON.parse(l) as T);
  return { rows, hidden: names.filter((n) => n.startsWith('.')) };
}

describe('operators across SIGKILL (classic-level)', () => {
  it(`SIGKILLed ${KILLS} times: every lookup result (ordered and unordered) and every sliding window committed exactly once`, async () => {
    const out = await tempDirs.make();
    const chk = await tempDirs.make();
    const args = [out, chk, 'classic-level', String(PER_SPLIT)];
    let kills = 0;
    while (kills < KILLS) {
      // the kill time varies; what is asserted below holds for any kill time
      const r = await runChild(args, 700 + Math.floor(Math.random() * 800));
      if (r.signal === 'SIGKILL') kills++;
      else if (r.code === 0) break;
      else throw new Error(`child failed: ${r.stderr}`);
    }
    expect(kills).toBe(KILLS);
    const last = await runChild(args);
    expect(last.code, last.stderr).toBe(0);

    const all = [...Array(SPLITS).keys()].flatMap((s) => [...Array(PER_SPLIT).keys()].map((o) => recordAt(s, o)));
    const expectedTiers = all.map((r) => `${r.id} ${tierOf(r.user)}`).sort();
    for (const dir of ['tiers', 'tiers-unordered']) {
      const tiers = await committed<string>(join(out, dir));
      expect(tiers.hidden).toEqual([]);
      expect([...tiers.rows].sort()).toEqual(expectedTiers);
    }

    const windows = await committed<WindowResult<number>>(join(out, 'windows'));
    const expected = new Map<string, number>();
    for (const r of all) {
      for (let start = r.ts - (r.ts % 500); start > r.ts - 1000; start -= 500) expected.set(`${r.user}/${start}`, (expected.get(`${r.user}/${start}`) ?? 0) + 1);
    }
    expect(windows.rows.length).toBe(expected.size);
    expect(new Map(windows.rows.map((w) => [`${w.key}/${w.start}`, w.value]))).toEqual(expected);
  }, 240_000);
});
