import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { events, HOUR, T0, writeTables } from './tables.js';

const JOB = fileURLToPath(new URL('./crash-job.ts', import.meta.url));
const KILLS = Number(process.env.WEIR_CRASH_KILLS ?? 5);
// a killed run reads until its first checkpoint plus < 0.8 s at about 4k rows/s: sized so that KILLS runs cannot finish
const PER_HOUR = Number(process.env.WEIR_CRASH_RECORDS ?? Math.max(1500, KILLS * 300));
const HOURS = [0, 1, 2, 3, 4, 5, 6, 7];

async function latestCheckpoint(dir: string): Promise<number> {
  let best = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const id = Number(/^chk-(\d+)$/.exec(name)?.[1] ?? 0);
    if (id > best && (await stat(join(dir, name, '_metadata.json')).then(() => true, () => false))) best = id;
  }
  return best;
}

/** Run the job; with `killAfterMs`, SIGKILL it that long after it completed a checkpoint of its own. */
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

it(`file source SIGKILLed ${KILLS} times during a backfill: every row exactly once in the committed output`, async () => {
  const dir = await tempDir();
  // table b has no data in hours 2-3 (empty, announced partitions)
  const evs = events({ a: HOURS, b: HOURS.filter((h) => h < 2 || h > 3) }, PER_HOUR);
  await writeTables(dir, evs, ['a', 'b'], undefined, 500);
  const out = join(dir, 'out');
  const chk = join(dir, 'checkpoints');
  const args = [join(dir, 'tables'), out, chk, String(T0), String(T0 + HOURS.length * HOUR), 'a,b'];
  let kills = 0;
  while (kills < KILLS) {
    const r = await runChild(args, chk, Math.floor(Math.random() * 800));
    if (r.signal === 'SIGKILL') kills++;
    else throw new Error(`the backfill ended before kill ${kills + 1} (code ${r.code}): make WEIR_CRASH_RECORDS larger\n${r.stderr}`);
  }
  const last = await runChild(args, chk);
  expect(last.code, last.stderr).toBe(0);

  const ids: number[] = [];
  for (const name of await readdir(out)) {
    if (name.startsWith('.')) continue;
    for (const line of (await readFile(join(out, name), 'utf8')).split('\n')) if (line) ids.push((JSON.parse(line) as { id: number }).id);
  }
  const counts = new Map<number, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
  expect(ids.length).toBe(evs.length);
  expect(new Set(ids)).toEqual(new Set(evs.map((e) => e.id)));
}, 240_000);
