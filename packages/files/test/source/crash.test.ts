import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runChild } from '../support/kill-after-checkpoint.js';
import { events, HOUR, T0, writeTables } from './tables.js';

const JOB = fileURLToPath(new URL('./crash-job.ts', import.meta.url));
const KILLS = Number(process.env.WEIR_CRASH_KILLS ?? 5);
// a killed run reads until its first checkpoint plus < 0.8 s at about 4k rows/s: sized so that KILLS runs cannot finish
const PER_HOUR = Number(process.env.WEIR_CRASH_RECORDS ?? Math.max(1500, KILLS * 300));
const HOURS = [0, 1, 2, 3, 4, 5, 6, 7];

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
    const r = await runChild(JOB, args, chk, { killAfterMs: Math.floor(Math.random() * 800) });
    if (r.signal === 'SIGKILL') kills++;
    else throw new Error(`the backfill ended before kill ${kills + 1} (code ${r.code}): make WEIR_CRASH_RECORDS larger\n${r.stderr}`);
  }
  const last = await runChild(JOB, args, chk);
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
