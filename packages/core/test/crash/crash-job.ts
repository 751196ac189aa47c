/**
 * The job the crash test SIGKILLs: a deterministic source with offsets -> keyed counting ->
 * two-phase-commit JSON-lines files. Every output line is [key, count]; exactly-once output
 * means each key's counts are exactly 1..n, each once.
 * argv: <outDir> <checkpointDir> <backend: classic-level|rocksdb|heap> <splits> <recordsPerSplit> <ratePerSecond>
 * `WEIR_CRASH_STORAGE`: a module whose `checkpointStorage(checkpointDir)` replaces the local checkpoint directory.
 */

import { Pipeline, classicLevelStateBackend, generatorSource, heapStateBackend, jsonLinesFileSink, rocksDbStateBackend, silentLogger, type CheckpointStorage, type ValueState } from '@weir/core';

const [outDir, checkpointDir, backend, splits, perSplit, rate] = process.argv.slice(2);
const KEYS = 97;

const stateBackend = backend === 'rocksdb' ? rocksDbStateBackend() : backend === 'heap' ? heapStateBackend() : classicLevelStateBackend();
const storageModule = process.env.WEIR_CRASH_STORAGE;
const storage = storageModule ? ((await import(storageModule)) as { checkpointStorage(name: string): CheckpointStorage }).checkpointStorage(checkpointDir!) : undefined;
const p = new Pipeline({
  name: 'crash-test',
  checkpoints: storage !== undefined ? { storage, intervalMs: 150 } : { dir: checkpointDir!, intervalMs: 150 },
  stateBackend,
  logger: silentLogger,
  restart: { kind: 'none' },
});
p.source(
  'numbers',
  generatorSource({ splits: Number(splits), recordsPerSplit: Number(perSplit), ratePerSecond: Number(rate), batchSize: 200, generate: (s, o) => ({ s, o }) }),
)
  .map('key', (r) => ({ key: `k${(r.s * 7919 + r.o) % KEYS}` }))
  .keyBy((r) => r.key)
  .process<[string, number]>('count', () => {
    let count: ValueState<number>;
    return {
      open: (ctx) => void (count = ctx.state.valueState<number>('count')),
      processElement: (r, ctx) => {
        const n = (count.value() ?? 0) + 1;
        count.update(n);
        ctx.emit([r.key, n]);
      },
    };
  })
  .sink('files', jsonLinesFileSink<[string, number]>({ dir: outDir! }));

const result = await p.run();
process.stdout.write(`${JSON.stringify({ done: result.outcome })}\n`);
