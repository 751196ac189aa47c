import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { tempDir } from '../packages/core/test/runtime/helpers.js';
import { firstPipeline } from './first-pipeline.js';

it('the README pipeline runs and its windows add up to the input', async () => {
  const dir = await tempDir();
  const result = await firstPipeline(dir);
  expect(result.outcome).toBe('finished');
  const files = readdirSync(join(dir, 'revenue')).filter((n) => !n.startsWith('.'));
  const rows = files.flatMap((f) => readFileSync(join(dir, 'revenue', f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { value: number }));
  let expected = 0;
  for (let o = 0; o < 10_000; o++) expected += o % 100;
  expect(rows.reduce((s, r) => s + r.value, 0)).toBe(4 * expected);
});
