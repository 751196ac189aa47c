import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { tempDir } from '../../packages/core/test/runtime/helpers.js';
import { parquetRows, runExample } from '../support/run-example.js';

const EXAMPLE = fileURLToPath(new URL('.', import.meta.url));

it('ods-ingest: two clusters -> Parquet, checked by the example and again by DuckDB here', async () => {
  const out = join(await tempDir('weir-ods-ingest-'), 'out');
  const run = await runExample(EXAMPLE, ['--out', out, '--hours', '2', '--per-hour', '300']);
  expect(run.code, run.out).toBe(0);
  expect(run.summary, run.out).toMatchObject({ 'ods-ingest': 'ok', recordsIn: 300 * 2 + 150 * 2 + (30 + 0) + 3, deadLetters: 3, outputDir: out });
  const s = run.summary as { recordsIn: number; recordsOut: number; deadLetters: number; partitionsReady: number };
  expect(s.recordsOut + s.deadLetters).toBe(s.recordsIn);
  expect(await parquetRows(join(out, 'tables'))).toBe(s.recordsOut);
  // 4 streams x 2 hours, the silent heartbeat hour and the empty big-order hour announced too (and the
  // empty hour before the data when a checkpoint saw the first watermark there), each with its _SUCCESS
  expect(s.partitionsReady).toBeGreaterThanOrEqual(8);
  expect((readdirSync(join(out, 'tables'), { recursive: true }) as string[]).filter((f) => f.endsWith('_SUCCESS')).length).toBe(s.partitionsReady);
  expect(existsSync(join(out, 'tables', 'heartbeats', 'dt=2026-11-20', 'hour=01', '_SUCCESS'))).toBe(true);
}, 120_000);
