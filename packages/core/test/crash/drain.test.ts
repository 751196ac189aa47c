import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { tempDir } from '../runtime/helpers.js';

const JOB = fileURLToPath(new URL('./drain-job.ts', import.meta.url));

it('SIGTERM drains a service: it exits 0 with everything it read committed, nothing hidden left', async () => {
  const out = await tempDir();
  const chk = await tempDir();
  const child = spawn(process.execPath, ['--conditions=weir-source', '--import', 'tsx', JOB, out, chk], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
    if (stdout.includes('started') && !child.killed) setTimeout(() => child.kill('SIGTERM'), 1000);
  });
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code, stderr).toBe(0);
  const summary = JSON.parse(stdout.trim().split('\n').pop()!) as { outcome: string; read: number };
  expect(summary.outcome).toBe('drained');
  const names = await readdir(out);
  expect(names.filter((n) => n.startsWith('.'))).toEqual([]);
  const lines = new Set<string>();
  for (const n of names) for (const l of (await readFile(join(out, n), 'utf8')).split('\n')) if (l) lines.add(l);
  expect(summary.read).toBeGreaterThan(0);
  expect(lines.size).toBe(summary.read);
}, 60_000);
