/**
 * Feature pipeline: two declarative feature groups (`groups.ts`) compiled into one checkpointed job
 * over generated transactions and logins; each group's rows go to its own exactly-once JSON-lines
 * files, malformed records to the dead letters. Then the job checks its output against brute force.
 * `node --conditions=weir-source --import tsx examples/feature-pipeline/feature-job.ts [outDir]`
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline, WatermarkStrategies, generatorSource, jsonLinesFileSink, type JobResult } from '@weir/core';
import { compileFeatures } from '@weir/operators/features';
import { LOGINS, TRANSACTIONS, loginAt, transactionAt, type Login, type Transaction } from './events.js';
import { loginFailures, userSpend } from './groups.js';
import { checkFeatureOutput } from './reference.js';

export async function runFeaturePipeline(dir: string): Promise<JobResult> {
  const pipeline = new Pipeline({ name: 'feature-pipeline', checkpoints: { dir: join(dir, 'checkpoints'), intervalMs: 1_000 } });
  // one split per source: a key's records arrive in generation order, which the check replays
  const transactions = pipeline.source('transactions', generatorSource({ recordsPerSplit: TRANSACTIONS, batchSize: 500, generate: (_s, o) => transactionAt(o) }), {
    watermarks: WatermarkStrategies.forBoundedOutOfOrderness<Transaction>(30_000, (t) => t.ts),
  });
  const logins = pipeline.source('logins', generatorSource({ recordsPerSplit: LOGINS, batchSize: 500, generate: (_s, o) => loginAt(o) }), {
    watermarks: WatermarkStrategies.forBoundedOutOfOrderness<Login>(30_000, (l) => l.ts),
  });
  const features = compileFeatures({ transactions, logins }, [userSpend, loginFailures]);
  for (const [group, rows] of Object.entries(features)) rows.sink(`${group}-files`, jsonLinesFileSink({ dir: join(dir, group) }));
  pipeline.deadLetters().sink('dead-letters', jsonLinesFileSink({ dir: join(dir, 'dead-letters') }));
  return pipeline.run();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'weir-feature-pipeline-'));
  const result = await runFeaturePipeline(dir);
  const check = checkFeatureOutput(dir);
  for (const p of check.problems) console.log(`problem: ${p}`);
  console.log(`${result.outcome}: feature rows in ${dir}/user_spend and ${dir}/login_failures`);
  console.log(JSON.stringify({ featurePipeline: check.problems.length === 0 ? 'ok' : 'failed', rows: check.rows, deadLetters: check.deadLetters, approxDistinctMaxError: check.approxMaxError, outputDir: dir }));
  process.exitCode = result.outcome === 'finished' && check.problems.length === 0 ? 0 : 1;
}
