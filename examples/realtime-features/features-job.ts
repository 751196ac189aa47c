/**
 * Real-time recommendation features: plays (delivered at least once, a little out of order) are
 * deduped by play id, then per (user, creator) the count, seconds played and distinct videos over
 * the last 1 minute, 6, 12 and 24 hours are emitted for every play.
 * `node --conditions=weir-source --import tsx examples/realtime-features/features-job.ts [outDir]`
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline, WatermarkStrategies, generatorSource, jsonLinesFileSink, type JobResult, type Stream } from '@weir/core';
import { dedupe, multiHorizon, type MultiHorizonResult } from '@weir/operators';

export interface Play {
  playId: string;
  user: string;
  creator: string;
  video: string;
  seconds: number;
  ts: number;
}

export const PLAYS = 20_000;
export const HOUR = 3_600_000;
export const HORIZONS = [60_000, 6 * HOUR, 12 * HOUR, 24 * HOUR];
const START = Date.UTC(2026, 0, 1);

/** Offset o of the plays (pure): every 10th play is delivered again 3 records later; timestamps jitter by up to 20 s. */
export function playAt(o: number): Play {
  const n = o % 10 === 3 ? o - 3 : o;
  return {
    playId: `p${n}`,
    user: `u${(n * 7) % 40}`,
    creator: `c${(n * 13) % 6}`,
    video: `v${(n * 31) % 25}`,
    seconds: 5 + ((n * 17) % 120),
    ts: START + n * 9_000 - ((n * 7919) % 20_000),
  };
}

/** The feature steps, shared by the live job and the backfill over files (`examples/backfill`). */
export function playFeatures(plays: Stream<Play>): Stream<MultiHorizonResult> {
  return plays
    .keyBy((p) => p.playId)
    .process('dedupe-plays', dedupe<Play>({ ttlMs: HOUR }))
    .keyBy((p) => `${p.user}/${p.creator}`)
    .process('play-features', multiHorizon<Play>({ horizonsMs: HORIZONS, numberOf: (p) => p.seconds, distinctOf: (p) => p.video }));
}

export async function realtimeFeatures(dir: string): Promise<JobResult> {
  const pipeline = new Pipeline({ name: 'realtime-features', checkpoints: { dir: join(dir, 'checkpoints'), intervalMs: 2_000 } });
  const plays = pipeline.source('plays', generatorSource({ recordsPerSplit: PLAYS, batchSize: 500, generate: (_s, o) => playAt(o) }), {
    watermarks: WatermarkStrategies.forBoundedOutOfOrderness<Play>(30_000, (p) => p.ts),
  });
  playFeatures(plays).sink('features', jsonLinesFileSink({ dir: join(dir, 'features') }));
  return pipeline.run();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'weir-features-'));
  const result = await realtimeFeatures(dir);
  console.log(`${result.outcome}: features in ${dir}/features`);
}
