/** The README's first pipeline, runnable: `node --conditions=weir-source --import tsx examples/first-pipeline.ts [outDir]`. */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline, WatermarkStrategies, generatorSource, jsonLinesFileSink, tumblingWindows, type JobResult } from '@weir/core';

export async function firstPipeline(dir: string): Promise<JobResult> {
  const pipeline = new Pipeline({ name: 'orders', checkpoints: { dir: join(dir, 'checkpoints'), intervalMs: 5_000 } });
  pipeline
    .source('orders', generatorSource({ splits: 4, recordsPerSplit: 10_000, generate: (_s, o) => ({ shop: `s${o % 50}`, amount: o % 100, ts: Date.UTC(2026, 0, 1) + o * 1000 }) }), {
      watermarks: WatermarkStrategies.forBoundedOutOfOrderness<{ ts: number }>(5_000, (o) => o.ts).withIdleness(30_000),
    })
    .filter('paid', (o) => o.amount > 0)
    .keyBy((o) => o.shop)
    .window('revenue-per-minute', tumblingWindows(60_000), { create: () => 0, add: (sum: number, o) => sum + o.amount, result: (sum) => sum })
    .sink('files', jsonLinesFileSink({ dir: join(dir, 'revenue') }));
  pipeline.deadLetters().sink('dead-letters', jsonLinesFileSink({ dir: join(dir, 'dead-letters') }));
  return pipeline.run();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'weir-first-'));
  const result = await firstPipeline(dir);
  console.log(`${result.outcome}: output in ${dir}/revenue`);
}
