import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startClusters } from '@weir/embedded-kafka';
import { onCleanup, produce, producerFor, tempDir } from '../helpers.js';

const JOB = fileURLToPath(new URL('./crash-job.ts', import.meta.url));
const KILLS = 3;

function runChild(args: string[], killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=weir-source', '--import', 'tsx', JOB, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // the kill delay counts from the job's start, not the process's: module loading varies with machine load
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d) => {
      if (killAfterMs !== undefined && timer === undefined && String(d).includes('started')) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

async function committedLines(dir: string): Promise<{ lines: string[]; hidden: string[] }> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const lines: string[] = [];
  for (const n of names.filter((n) => !n.startsWith('.'))) {
    for (const l of (await readFile(join(dir, n), 'utf8')).split('\n')) if (l) lines.push(JSON.parse(l) as string);
  }
  return { lines, hidden: names.filter((n) => n.startsWith('.')) };
}

describe('source crash safety', () => {
  it(`SIGKILLed ${KILLS} times while two clusters stream: every record is committed exactly once`, async () => {
    const clusters = await startClusters(2, { topics: [{ name: 'orders', partitions: 3 }] });
    for (const c of clusters) onCleanup(() => c.stop());
    const producers = await Promise.all(clusters.map((c) => producerFor(c.bootstrapServers)));
    let produced = 0;
    let streaming = true;
    const feeding = (async () => {
      for (let round = 0; streaming; round++) {
        await Promise.all(producers.map((p, i) => produce(p, 'orders', 3, 150, `c${i}-r${round}`)));
        produced += 300;
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    onCleanup(async () => {
      streaming = false;
      await feeding.catch(() => {});
    });
    const out = await tempDir();
    const chk = await tempDir();
    const args = [out, chk, clusters[0]!.bootstrapServers.join(','), clusters[1]!.bootstrapServers.join(',')];
    const committedAfterKill: number[] = [];
    for (let kills = 0; kills < KILLS; kills++) {
      const r = await runChild(args, 1800 + Math.floor(Math.random() * 1200));
      expect(r.signal, r.stderr).toBe('SIGKILL');
      committedAfterKill.push((await committedLines(out)).lines.length);
    }
    // the kills hit a job that was making progress (output committed between kills), not one still starting
    expect(committedAfterKill.filter((n, i) => n > (committedAfterKill[i - 1] ?? 0)).length).toBeGreaterThanOrEqual(2);
    streaming = false;
    await feeding;
    const last = await runChild([...args, '4000'], 30_000); // drains itself after 4 s; the kill is only a safety net
    expect(last.signal).toBeNull();
    expect(last.code, last.stderr).toBe(0);
    const { lines, hidden } = await committedLines(out);
    expect(hidden).toEqual([]);
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines.length).toBe(produced);
    const hw = clusters.flatMap((c) => c.highWatermarks('orders')).reduce((a, b) => a + b, 0);
    expect(hw).toBe(produced);
  }, 60_000);
});
