import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const RUN = fileURLToPath(new URL('./run.ts', import.meta.url));

// The whole acceptance run as CI runs it: 3 instance processes with checkpoints and a file sink on
// an S3-compatible server (s3rver), a SIGKILL, rescales 3 -> 2 -> 4, judged against an oracle by
// a read_committed consumer and by a reader of the committed files (see run.ts). Small data:
// ~4,000 orders.
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
  const result = JSON.parse(last) as { windowResults: number; discovered: Array<{ after: string }>; s3: { savepointsUsed: number; restores: string[]; files: { results: number; bySubtask: Record<string, number> } } };
  expect(result.windowResults).toBeGreaterThan(100);
  // findSavepointSet over the 12 instance locations on the store found each suspended set itself
  expect(result.discovered.map((d) => d.after)).toEqual(['the suspend of 3', 'the suspend of 4']);
  // the same results in the table on the store; every savepoint and restore on S3 (run.ts checks paths and metadata)
  expect(result.s3.files.results).toBe(result.windowResults);
  expect(result.s3.savepointsUsed).toBe(3 + 2 + 4);
  expect(result.s3.restores.length).toBeGreaterThanOrEqual(1 + 2 + 4);
}, 300_000);
