import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { tempDir } from '../packages/core/test/runtime/helpers.js';
import { parquetRows, runExample } from './support/run-example.js';

const DEMO = fileURLToPath(new URL('./demo.ts', import.meta.url));

// The demo as `npm run demo` runs it, at the small size: a SIGKILL, a cluster outage and a deploy
it('npm run demo: ends with "demo":"ok", counts DuckDB confirms, and the output left on disk', async () => {
  const out = join(await tempDir('weir-demo-'), 'out');
  const run = await runExample(DEMO, ['--size', 'small', '--out', out]);
  expect(run.code, run.out).toBe(0);
  const s = run.summary as { demo: string; recordsIn: number; recordsOut: number; deadLetters: number; partitionsReady: number; outputDir: string };
  expect(s, run.out).toMatchObject({ demo: 'ok', outputDir: out });
  // 3 hours of 1500 clicks, 600 orders, 120 heartbeats (one hour silent), 3 bad records an hour
  expect(s.recordsIn).toBe(3 * 1500 + 3 * 600 + 2 * 120 + 3 * 3);
  expect(s.deadLetters).toBe(9);
  expect(s.recordsOut + s.deadLetters).toBe(s.recordsIn);
  expect(await parquetRows(join(out, 'tables'))).toBe(s.recordsOut);
  // 4 streams x 3 hours, empty ones too, each with its _SUCCESS on disk; plus the empty hour before
  // the data when the first watermark (first events minus the 1-minute bound) was seen there
  // before the first announcement (timing-dependent; the demo checks such an hour holds no rows)
  expect(s.partitionsReady).toBeGreaterThanOrEqual(4 * 3);
  const success = (readdirSync(join(out, 'tables'), { recursive: true }) as string[]).filter((f) => f.endsWith('_SUCCESS'));
  expect(success.length).toBe(s.partitionsReady);
  expect(existsSync(join(out, 'tables', 'heartbeats', 'dt=2026-11-20', 'hour=01', '_SUCCESS'))).toBe(true);
  // the faults happened: one process SIGKILLed, one suspended by the deploy, the last drained
  expect(run.out).toMatch(/new process restored checkpoint \d+/);
  expect(run.out).toMatch(/v2 restored savepoint \d+/);
}, 300_000);
