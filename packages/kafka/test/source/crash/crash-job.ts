/**
 * The job the source crash test SIGKILLs: a Kafka source over two clusters -> JSON-lines files
 * (two-phase commit), one line `cluster/topic/partition@offset` per record.
 * argv: <outDir> <checkpointDir> <brokersA> <brokersB> [drainAfterMs]
 * Without drainAfterMs it runs until killed; with it, it drains after that long and exits 0.
 */

import { Pipeline, heapStateBackend, jsonLinesFileSink, silentLogger } from '@weir/core';
import { kafkaSource, type KafkaRecord } from '../../../src/index.js';

const [outDir, checkpointDir, brokersA, brokersB, drainAfterMs] = process.argv.slice(2);
const p = new Pipeline({ name: 'kafka-source-crash', checkpoints: { dir: checkpointDir!, intervalMs: 150 }, stateBackend: heapStateBackend(), logger: silentLogger, restart: { kind: 'none' } });
p.source(
  'kafka',
  kafkaSource({
    clusters: [
      { name: 'a', brokers: brokersA!.split(','), topics: ['orders'] },
      { name: 'b', brokers: brokersB!.split(','), topics: ['orders'] },
    ],
  }),
)
  .map('key', (r: KafkaRecord) => `${r.cluster}/${r.topic}/${r.partition}@${r.offset}`)
  .sink('files', jsonLinesFileSink<string>({ dir: outDir! }));
const job = p.start();
process.stdout.write('started\n');
if (drainAfterMs !== undefined) {
  setTimeout(() => void job.stop({ mode: 'drain' }), Number(drainAfterMs));
}
const result = await job.done;
process.stdout.write(`${JSON.stringify({ done: result.outcome })}\n`);
process.exit(0); // a failed job rejects `done` (non-zero exit)
