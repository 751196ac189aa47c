import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const DEMO = fileURLToPath(new URL('./demo.ts', import.meta.url));

it('npm run demo: the ingest pipeline end to end checks its own output (DuckDB, notifications, dead letters)', async () => {
  const child = spawn(process.execPath, ['--conditions=weir-source', '--import', 'tsx', DEMO], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(out).toContain('All checks passed.');
  expect(code, out).toBe(0);
}, 180_000);
