/** A service-style job: unbounded source, SIGTERM drains it. argv: <outDir> <checkpointDir> */
import { Pipeline, stopOnSignals, generatorSource, heapStateBackend, jsonLinesFileSink, silentLogger } from '@weir/core';

const [outDir, checkpointDir] = process.argv.slice(2);
const p = new Pipeline({ name: 'drain-service', checkpoints: { dir: checkpointDir!, intervalMs: 100 }, stateBackend: heapStateBackend(), logger: silentLogger });
p.source('ticks', generatorSource({ splits: 2, ratePerSecond: 2000, batchSize: 100, generate: (s, o) => ({ s, o }) }))
  .map('tag', (r) => `${r.s}:${r.o}`)
  .sink('files', jsonLinesFileSink({ dir: outDir! }));
const job = p.start();
stopOnSignals(job, { mode: 'drain' });
process.stdout.write('started\n');
const result = await job.done;
const read = job.status().steps.find((s) => s.step === 'ticks')!.recordsOut;
process.stdout.write(`${JSON.stringify({ outcome: result.outcome, read })}\n`);
