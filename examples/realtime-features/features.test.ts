import { join } from 'node:path';
import type { MultiHorizonResult } from '@weir/operators';
import { expect, it } from 'vitest';
import { tempDir } from '../../packages/core/test/runtime/helpers.js';
import { committedJsonLines } from '../support/committed-lines.js';
import { HORIZONS, PLAYS, playAt, realtimeFeatures, type Play } from './features-job.js';

it('realtime-features: one feature row per distinct play, each equal to brute force over that key', async () => {
  const dir = await tempDir();
  expect((await realtimeFeatures(dir)).outcome).toBe('finished');
  const rows = committedJsonLines<MultiHorizonResult>(join(dir, 'features'));
  const plays = new Map<string, Play>();
  for (let o = 0; o < PLAYS; o++) plays.set(playAt(o).playId, playAt(o));
  expect(rows.length).toBe(plays.size);
  const byKey = new Map<string, Play[]>();
  for (const p of plays.values()) byKey.set(`${p.user}/${p.creator}`, [...(byKey.get(`${p.user}/${p.creator}`) ?? []), p]);
  // plays of one key are 120 plays (18 min) apart, so each row sees exactly its key's plays in the horizon
  for (const row of rows) {
    const expected = HORIZONS.map((h) => {
      const inside = byKey.get(row.key)!.filter((p) => p.ts >= row.end - h && p.ts < row.end);
      const seconds = inside.map((p) => p.seconds);
      return { horizonMs: h, count: inside.length, sum: seconds.reduce((a, b) => a + b, 0), min: Math.min(...seconds), max: Math.max(...seconds), distinct: new Set(inside.map((p) => p.video)).size };
    });
    expect(row.horizons).toEqual(expected);
  }
}, 120_000);
