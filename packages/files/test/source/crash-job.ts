/**
 * A backfill the crash test SIGKILLs: fileSource (bounded, tables aligned by partition time) ->
 * paced -> exactly-once JSON lines. argv: <tables> <out> <checkpoints> <from> <to> <tables,comma-separated>
 */

import { Pipeline, jsonLinesFileSink, silentLogger } from '@weir/core';
import { fileSource, partitionTimeWatermarks, type Row } from '../../src/index.js';

const [tables, out, checkpoints, from, to, names] = process.argv.slice(2) as [string, string, string, string, string, string];
let seen = 0;
const pipeline = new Pipeline({ name: 'backfill-crash', checkpoints: { dir: checkpoints, intervalMs: 150 }, logger: silentLogger, restart: { kind: 'none' } });
pipeline
  .source('files', fileSource({ storage: tables, tables: names.split(','), from: Number(from), to: Number(to), batchSize: 128, columns: ['id', 'ts'] }), {
    watermarks: partitionTimeWatermarks<Row>((r) => r.ts as number).withAlignment('tables', 3_600_000, 100),
  })
  // about 4k rows/s, so that kills land mid-backfill
  .asyncMap('pace', async (r: Row) => {
    if (++seen % 40 === 0) await new Promise((res) => setTimeout(res, 10));
    return r;
  }, { concurrency: 1 })
  .map('line', (r: Row) => ({ id: r.id as number, ts: r.ts as number }))
  .sink('out', jsonLinesFileSink({ dir: out }));
const result = await pipeline.run();
process.stdout.write(`${JSON.stringify({ outcome: result.outcome })}\n`);
process.exit(result.outcome === 'finished' ? 0 : 1);
