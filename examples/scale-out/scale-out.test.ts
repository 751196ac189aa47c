import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const RUN = fileURLToPath(new URL('./run.ts', import.meta.url));

// The whole acceptance run as CI runs it: 3 instance processes, a SIGKILL, rescales 3 -> 2 -> 4,
// judged by a read_committed consumer against an oracle (see run.ts). Small data: ~4,000 orders.
it('scale-out: every window result exactly once across a SIGKILL and two rescales', async () => {
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, ['--conditions=weir-source', '--import', 'tsx', RUN], {
      env: { ...process.env, SCALE_OUT_ORDERS: process.env.SCALE_OUT_ORDERS ?? '1000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (c) => resolve({ code: c, out: stdout + (c === 0 ? '' : `\n--- stderr ---\n${stderr.slice(-4000)}`) }));
  });
  const last = out.trim().split('\n').filter((l) => l.startsWith('{"scaleOut"')).pop() ?? out;
  expect(last, out).toMatch(/^\{"scaleOut":"ok"/);
  expect(code).toBe(0);
  const result = JSON.parse(last) as { windowResults: number };
  expect(result.windowResults).toBeGreaterThan(100);
}, 300_000);
