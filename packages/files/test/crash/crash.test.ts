import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir, walk } from '../helpers.js';

const JOB = fileURLToPath(new URL('./crash-job.ts', import.meta.url));
const KILLS = Number(process.env.WEIR_CRASH_KILLS ?? 5);
const SPLITS = 3;
const RATE = 1000;
// a killed run reads until its first checkpoint plus < 0.9 s at RATE (about 2,000 per split on this
// machine): sized so that KILLS runs cannot reach the end; the final run reads the rest at full speed
const PER_SPLIT = Number(process.env.WEIR_CRASH_RECORDS ?? Math.max(8000, KILLS * 3000 + 2000));

/** Highest completed checkpoint id in the checkpoint directory (0 when none). */
async function latestCheckpoint(dir: string): Promise<number> {
  let best = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const id = Number(/^chk-(\d+)$/.exec(name)?.[1] ?? 0);
    if (id > best && (await stat(join(dir, name, '_metadata.json')).then(() => true, () => false))) best = id;
  }
  return best;
}

/**
 * Run the job; with `killAfterMs`, SIGKILL it that long after it completed a checkpoint of its
 * own (so every attempt makes progress however slowly the machine starts processes).
 */
function runChild(args: string[], checkpointDir: string, killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=weir-source', '--import', 'tsx', JOB, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let exited = false;
    child.stdout.resume();
    child.stderr.on('data', (d) => (stderr += d));
    if (killAfterMs !== undefined) {
      void (async () => {
        const start = await latestCheckpoint(checkpointDir);
        while (!exited && (await latestCheckpoint(checkpointDir)) <= start) await new Promise((r) => setTimeout(r, 25));
        if (!exited) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      })();
    }
    child.on('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal, stderr });
    });
  });
}

describe('bucketed file sink crash safety', () => {
  it(`SIGKILLed ${KILLS} times: every record once in visible files, no hidden file left, every partition announced once`, async () => {
    const out = await tempDir();
    const chk = await tempDir();
    const notifications = join(await tempDir(), 'ready.jsonl');
    const args = [out, chk, notifications, String(SPLITS), String(PER_SPLIT), String(RATE)];
    let kills = 0;
    while (kills < KILLS) {
      const r = await runChild(args, chk, Math.floor(Math.random() * 900));
      if (r.signal === 'SIGKILL') kills++;
      else if (r.code === 0) break; // finished before the kill: more records would be needed
      else throw new Error(`child failed: ${r.stderr}`);
    }
    expect(kills).toBe(KILLS);
    // killed attempts already announced partitions: the final run must not repeat them
    const announcedBefore = (await readFile(notifications, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
    expect(announcedBefore).toBeGreaterThan(0);
    const last = await runChild([...args.slice(0, -1), String(RATE * 50)], chk);
    expect(last.code, last.stderr).toBe(0);

    const { visible, hidden, dirs } = await walk(out);
    expect(hidden).toEqual([]); // no in-progress, pending, merging file or manifest left
    const seen = new Map<string, number>();
    const partitions = new Set<string>();
    let merged = 0;
    for (const f of visible) {
      if (f.includes('-m')) merged++;
      partitions.add(f.slice(0, f.lastIndexOf('/')));
      for (const line of (await readFile(join(out, f), 'utf8')).split('\n')) {
        if (!line) continue;
        const id = (JSON.parse(line) as { id: string }).id;
        seen.set(id, (seen.get(id) ?? 0) + 1);
      }
    }
    const dupes = [...seen].filter(([, n]) => n > 1);
    expect(dupes).toEqual([]);
    expect(seen.size).toBe(SPLITS * PER_SPLIT);
    expect(merged).toBeGreaterThan(0);

    // every partition announced exactly once, per stream in hour order; the empty stream too
    const notes = (await readFile(notifications, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { key: string; value: { stream: string; start: number; recordCount: number; files: string[] } });
    const keys = notes.map((n) => n.key);
    expect(keys.length - new Set(keys).size).toBe(0);
    const quiet = notes.filter((n) => n.value.stream === 'quiet');
    expect(quiet.length).toBeGreaterThan(0);
    expect(new Set(notes.filter((n) => n.value.stream !== 'quiet').map((n) => n.key))).toEqual(partitions);
    for (const d of dirs.filter((d) => d.includes('hour='))) expect(await readFile(join(out, d, '_SUCCESS'), 'utf8')).toContain('"recordCount"');
    const byStream = new Map<string, number[]>();
    for (const n of notes) byStream.set(n.value.stream, [...(byStream.get(n.value.stream) ?? []), n.value.start]);
    for (const [s, starts] of byStream) expect(starts, s).toEqual([...starts].sort((a, b) => a - b));
    const total = notes.reduce((n, x) => n + x.value.recordCount, 0);
    expect(total).toBe(SPLITS * PER_SPLIT);
  }, 120_000);
});
