import { expect, it } from 'vitest';
import { tempDir } from '../../packages/core/test/runtime/helpers.js';
import { runFeaturePipeline } from './feature-job.js';
import { checkFeatureOutput } from './reference.js';

it('feature-pipeline: two declarative feature groups compiled into one job, every row equal to brute force', async () => {
  const dir = await tempDir();
  expect((await runFeaturePipeline(dir)).outcome).toBe('finished');
  const check = checkFeatureOutput(dir);
  expect(check.problems).toEqual([]);
  // one row per approved, well-formed transaction and per failed login
  expect(check.rows.user_spend).toBeGreaterThan(10_000);
  expect(check.rows.login_failures).toBe(1_500);
  expect(check.deadLetters).toBeGreaterThan(0);
}, 90_000);
