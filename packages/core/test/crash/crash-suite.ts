import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../runtime/helpers.js';

/**
 * The core crash test, parameterised by state backend and checkpoint storage (this package
 * runs it on local disk; `@weir/s3` runs it on object storage).
 */
export interface CoreCrashVariant {
  backend: 'classic-level' | 'rocksdb';
  /** Extra environment for the job: `WEIR_CRASH_STORAGE` names a module that builds the checkpoint storage. */
  env?: () => Record<string, string>;
  /** In the description, e.g. `S3`. */
  label?: string;
  /**
   * Kill a run up to `windowMs` after it completed a checkpoint of its own (default: 0.9-2.1 s
   * after its start), so each run restores from and writes to a slow store at least once.
   */
  killAfterCheckpoint?: { latest: (checkpointDir: string) => Promise<number>; windowMs: number };
  /** Records per split each kill adds to the input, so the killed runs cannot reach its end (default: what 2.1 s reads). */
  recordsPerKill?: number;
}

const JOB = fileURLToPath(new URL('./crash-job.ts', import.meta.url));
const KILLS = Number(process.env.WEIR_CRASH_KILLS ?? 5);
const SPLITS = 3;
const RATE = 800;
const MAX_KILL_MS = 2100;
// a killed run reads at most MAX_KILL_MS of input at RATE (the rate counts from each run's start):
// sized so that KILLS runs cannot reach the end; the final, unkilled run reads the rest at full speed
const perSplit = (perKill: number) => Number(process.env.WEIR_CRASH_RECORDS ?? Math.max(8000, KILLS * perKill + 2000));

function runChild(args: string[], env: Record<string, string>, killAfterMs?: number, afterCheckpoint?: { latest: () => Promise<number> }): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    let exited = false;
    const child = spawn(process.execPath, ['--conditions=weir-source', '--import', 'tsx', JOB, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let timer: NodeJS.Timeout | undefined;
    if (killAfterMs !== undefined && afterCheckpoint === undefined) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    if (killAfterMs !== undefined && afterCheckpoint !== undefined) {
      void (async () => {
        const start = await afterCheckpoint.latest();
        while (!exited && (await afterCheckpoint.latest()) <= start) await new Promise((r) => setTimeout(r, 25));
        if (!exited) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      })();
    }
    child.on('exit', (code, signal) => {
      exited = true;
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function committedLines(dir: string): Promise<{ lines: Array<[string, number]>; hidden: string[] }> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const lines: Array<[string, number]> = [];
  for (const n of names.filter((n) => !n.startsWith('.'))) {
    const text = await readFile(join(dir, n), 'utf8');
    for (const l of text.split('\n')) if (l) lines.push(JSON.parse(l) as [string, number]);
  }
  return { lines, hidden: names.filter((n) => n.startsWith('.')) };
}

export function coreCrashTest({ backend, env = () => ({}), label, killAfterCheckpoint, recordsPerKill }: CoreCrashVariant): void {
  const PER_SPLIT = perSplit(recordsPerKill ?? Math.ceil((MAX_KILL_MS * RATE) / 1000));
  describe(`crash safety (${backend}${label !== undefined ? `, ${label}` : ''})`, () => {
    it(`SIGKILLed ${KILLS} times, committed output is exactly once`, async () => {
      const out = await tempDir();
      const chk = await tempDir();
      const args = [out, chk, backend, String(SPLITS), String(PER_SPLIT), String(RATE)];
      let kills = 0;
      while (kills < KILLS) {
        const r =
          killAfterCheckpoint === undefined
            ? await runChild(args, env(), 900 + Math.floor(Math.random() * (MAX_KILL_MS - 900)))
            : await runChild(args, env(), Math.floor(Math.random() * killAfterCheckpoint.windowMs), { latest: () => killAfterCheckpoint.latest(chk) });
        if (r.signal === 'SIGKILL') kills++;
        else if (r.code === 0) break; // finished before the kill: fewer records would be needed
        else throw new Error(`child failed: ${r.stderr}`);
      }
      expect(kills).toBe(KILLS);
      const last = await runChild([...args.slice(0, -1), String(RATE * 50)], env());
      expect(last.code, last.stderr).toBe(0);
      const { lines, hidden } = await committedLines(out);
      expect(hidden).toEqual([]);
      // every key's counts are exactly 1..n, each once, and the n's add up to every record
      const byKey = new Map<string, number[]>();
      for (const [k, n] of lines) byKey.set(k, [...(byKey.get(k) ?? []), n]);
      let total = 0;
      for (const [k, counts] of byKey) {
        counts.sort((a, b) => a - b);
        expect(counts, `key ${k}`).toEqual(counts.map((_, i) => i + 1));
        total += counts.length;
      }
      expect(total).toBe(SPLITS * PER_SPLIT);
    }, 240_000);
  });
}
