import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startClusters } from '@weir/embedded-kafka';
import { adapterEnv, heavyRuns } from '../../adapters.js';
import { onCleanup, produce, producerFor, tempDir } from '../helpers.js';

const JOB = fileURLToPath(new URL('./crash-job.ts', import.meta.url));

/** Highest completed checkpoint id in the checkpoint directory (0 when none). */
async function completedCheckpoints(dir: string): Promise<number> {
  let best = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const id = Number(/^chk-(\d+)$/.exec(name)?.[1] ?? 0);
    if (id > best && (await readdir(join(dir, name)).catch(() => [] as string[])).includes('_metadata.json')) best = id;
  }
  return best;
}

/**
 * Run the job; with `killAfterMs`, SIGKILL it that long after it completed a checkpoint of its
 * own that committed output (progress however loaded the machine is).
 */
function runChild(env: NodeJS.ProcessEnv, args: string[], checkpointDir: string, killAfterMs?: number, outDir?: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=weir-source', '--import', 'tsx', JOB, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stderr = '';
    let exited = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    child.stdout.resume();
    child.stderr.on('data', (d) => (stderr += d));
    if (killAfterMs !== undefined) {
      void (async () => {
        const before = await completedCheckpoints(checkpointDir);
        const linesBefore = outDir === undefined ? 0 : (await committedLines(outDir)).lines.length;
        const progressed = async () => (await completedCheckpoints(checkpointDir)) > before && (outDir === undefined || (await committedLines(outDir)).lines.length > linesBefore);
        while (!exited && !(await progressed())) await new Promise((r) => setTimeout(r, 25));
        if (!exited) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      })();
    }
    child.on('exit', (code, signal) => {
      exited = true;
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

describe.each(heavyRuns())('source crash safety ($adapter)', ({ adapter, small }) => {
  const KILLS = small ? 2 : 3;
  const env = adapterEnv(adapter);
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
      const r = await runChild(env, args, chk, Math.floor(Math.random() * 1200), out);
      expect(r.signal, r.stderr).toBe('SIGKILL');
      committedAfterKill.push((await committedLines(out)).lines.length);
    }
    // the kills hit a job that was making progress (output committed between kills), not one still starting
    expect(committedAfterKill.filter((n, i) => n > (committedAfterKill[i - 1] ?? 0)).length).toBeGreaterThanOrEqual(KILLS - 1);
    streaming = false;
    await feeding;
    const last = await runChild(env, [...args, '4000'], chk, 30_000); // drains itself after 4 s; the kill is only a safety net
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
