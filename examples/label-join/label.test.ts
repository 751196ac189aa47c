import { join } from 'node:path';
import { expect, it } from 'vitest';
import { tempDir } from '../../packages/core/test/runtime/helpers.js';
import { committedJsonLines } from '../support/committed-lines.js';
import { CLICKS, IMPRESSIONS, MINUTE, clickAt, impressionAt, labelJoin, type Label } from './label-job.js';

it('label-join: exactly the impressions clicked within 10 minutes, once each, with their click delay', async () => {
  const dir = await tempDir();
  expect((await labelJoin(dir)).outcome).toBe('finished');
  const labels = committedJsonLines<Label>(join(dir, 'labels'));
  const expected = new Map<string, Label>();
  for (let o = 0; o < CLICKS; o++) {
    const c = clickAt(o);
    const i = impressionAt(Number(c.impression.slice(1)));
    if (Number(i.id.slice(1)) < IMPRESSIONS && c.ts - i.ts <= 10 * MINUTE) expected.set(i.id, { impression: i.id, ad: i.ad, delayMs: c.ts - i.ts });
  }
  expect(expected.size).toBeGreaterThan(1000);
  expect(new Map(labels.map((l) => [l.impression, l]))).toEqual(expected);
  expect(labels.length).toBe(expected.size);
}, 120_000);
