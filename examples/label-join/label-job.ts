/**
 * Training labels for ads: each click is joined to its impression if it came within 10 minutes of
 * it (interval join, state cleaned by the watermark), and only an impression's first click labels
 * it (dedupe by impression id). Both streams arrive out of order and clicks are delivered twice.
 * `node --conditions=weir-source --import tsx examples/label-join/label-job.ts [outDir]`
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline, WatermarkStrategies, generatorSource, jsonLinesFileSink, type JobResult } from '@weir/core';
import { dedupe, intervalJoin, joinInputs } from '@weir/operators';

export interface Impression {
  id: string;
  ad: string;
  ts: number;
}
export interface Click {
  impression: string;
  ts: number;
}
export interface Label {
  impression: string;
  ad: string;
  delayMs: number;
}

export const IMPRESSIONS = 10_000;
export const MINUTE = 60_000;
const START = Date.UTC(2026, 0, 1);

/** Impression o, one every 2 s, up to 5 s out of order. */
export function impressionAt(o: number): Impression {
  return { id: `i${o}`, ad: `a${o % 17}`, ts: START + o * 2_000 - ((o * 7919) % 5_000) };
}

/** Clicks: every 3rd impression is clicked after (o % 15) minutes (so some too late), each click sent twice. */
export function clickAt(o: number): Click {
  const i = Math.floor(o / 2) * 3;
  return { impression: `i${i}`, ts: impressionAt(i).ts + (i % 15) * MINUTE + 1_000 };
}
export const CLICKS = Math.ceil(IMPRESSIONS / 3) * 2;

export async function labelJoin(dir: string): Promise<JobResult> {
  const pipeline = new Pipeline({ name: 'label-join', checkpoints: { dir: join(dir, 'checkpoints'), intervalMs: 2_000 } });
  const impressions = pipeline.source('impressions', generatorSource({ recordsPerSplit: IMPRESSIONS, batchSize: 500, generate: (_s, o) => impressionAt(o) }), {
    watermarks: WatermarkStrategies.forBoundedOutOfOrderness<Impression>(10_000, (i) => i.ts),
  });
  // clicks arrive in impression order, so up to 15 minutes out of order by their own time
  const clicks = pipeline.source('clicks', generatorSource({ recordsPerSplit: CLICKS, batchSize: 500, generate: (_s, o) => clickAt(o) }), {
    watermarks: WatermarkStrategies.forBoundedOutOfOrderness<Click>(15 * MINUTE, (c) => c.ts),
  });
  joinInputs('impressions-clicks', impressions, clicks, (i) => i.id, (c) => c.impression)
    .process('clicked-within-10-min', intervalJoin<Impression, Click, Label>({ lowerMs: 0, upperMs: 10 * MINUTE, join: (i, c) => ({ impression: i.id, ad: i.ad, delayMs: c.ts - i.ts }) }))
    .keyBy((l) => l.impression)
    .process('first-click', dedupe<Label>({ ttlMs: 60 * MINUTE }))
    .sink('labels', jsonLinesFileSink({ dir: join(dir, 'labels') }));
  return pipeline.run();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'weir-labels-'));
  const result = await labelJoin(dir);
  console.log(`${result.outcome}: labels in ${dir}/labels`);
}
