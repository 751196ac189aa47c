/**
 * The job the operators' crash test SIGKILLs: a rate-limited deterministic source -> async lookup
 * (batched multi-gets with random latency), in ordered and in unordered mode -> JSON-lines files,
 * and -> sliding windows by slicing (keyed count) -> JSON-lines files. Every sink commits with
 * checkpoints (two-phase).
 * argv: <outDir> <checkpointDir> <backend: classic-level|rocksdb> <recordsPerSplit>
 */

import { join } from 'node:path';
import { Pipeline, WatermarkStrategies, classicLevelStateBackend, generatorSource, jsonLinesFileSink, rocksDbStateBackend, silentLogger } from '@weir/core';
import { asyncLookup, sliding, windowed } from '../../src/index.js';

const [outDir, checkpointDir, backend, perSplit] = process.argv.slice(2);
export const SPLITS = 2;
export const USERS = 13;

export interface Rec {
  id: string;
  user: number;
  ts: number;
}
export const recordAt = (s: number, o: number): Rec => ({ id: `${s}-${o}`, user: (s * 7 + o * 5) % USERS, ts: o * 10 });
export const tierOf = (user: number) => `tier-${user % 3}`;

if (outDir !== undefined) {
  const p = new Pipeline({
    name: 'operators-crash',
    checkpoints: { dir: checkpointDir!, intervalMs: 150 },
    stateBackend: backend === 'rocksdb' ? rocksDbStateBackend() : classicLevelStateBackend(),
    logger: silentLogger,
    restart: { kind: 'none' },
  });
  const records = p.source('records', generatorSource({ splits: SPLITS, recordsPerSplit: Number(perSplit), ratePerSecond: 1500, batchSize: 100, generate: recordAt }), {
    watermarks: WatermarkStrategies.forMonotonousTimestamps<Rec>((r) => r.ts),
  });
  const lookup = asyncLookup<Rec, number, string, string>({
    keyOf: (r) => r.user,
    multiGet: (users) => new Promise((resolve) => setTimeout(() => resolve(users.map(tierOf)), 1 + Math.floor(Math.random() * 3))),
    combine: (r, tier) => `${r.id} ${tier}`,
    cache: { size: 5, ttlMs: 50 },
  });
  records.asyncMap('tiers', lookup.fn, { concurrency: 32 }).sink('tiers-out', jsonLinesFileSink<string>({ dir: join(outDir, 'tiers') }));
  records.asyncMap('tiers-unordered', lookup.fn, { concurrency: 32, order: 'unordered' }).sink('tiers-unordered-out', jsonLinesFileSink<string>({ dir: join(outDir, 'tiers-unordered') }));
  records
    .keyBy((r) => r.user)
    .process('per-second', windowed(sliding(1000, 500), { create: () => 0, add: (n: number) => n + 1, merge: (a: number, b: number) => a + b, result: (n) => n }))
    .sink('windows-out', jsonLinesFileSink({ dir: join(outDir, 'windows') }));
  const result = await p.run();
  process.stdout.write(`${JSON.stringify({ done: result.outcome })}\n`);
}
