/**
 * The ingest pipeline as a standalone job (the crash test SIGKILLs it): bounded Kafka source ->
 * parse -> paced -> Parquet tables by event hour with merge and readiness.
 * argv: <brokers,comma-separated> <tablesDir> <checkpointDir> <schemasDir>
 */

import { Pipeline, WatermarkStrategies, silentLogger } from '@weir/core';
import { bucketedFileSink, successFilePolicy } from '@weir/files';
import { parquetFormat } from '@weir/files/parquet';
import { SchemaRegistry, parseEnvelope, type DecodedRecord } from '@weir/formats';
import { arrowTablesOf } from './arrow-tables.js';
import { kafkaSource, type KafkaRecord } from '@weir/kafka';
import { STREAMS } from './schemas.js';

const [brokers, tables, checkpoints, schemas] = process.argv.slice(2) as [string, string, string, string];
const registry = await SchemaRegistry.open({ dir: schemas });

let seen = 0;
const pipeline = new Pipeline({ name: 'ingest-crash', checkpoints: { dir: checkpoints, intervalMs: 200 }, logger: silentLogger, restart: { kind: 'none' } });
pipeline
  .source('raw-events', kafkaSource({ clusters: [{ name: 'local', brokers: brokers.split(','), topics: ['raw-events'] }], boundedness: 'bounded', fetchMaxBytesPerPartition: 32 << 10 }), {
    watermarks: WatermarkStrategies.forBoundedOutOfOrderness<KafkaRecord>(60_000, (r) => r.timestamp).withIdleness(500),
  })
  .map('parse', parseEnvelope(registry))
  // pace the job so that kills land mid-stream: about 5k records/s
  .asyncMap('pace', async (r: DecodedRecord) => {
    if (++seen % 50 === 0) await new Promise((res) => setTimeout(res, 10));
    return r;
  }, { concurrency: 1 })
  .sink(
    'tables',
    bucketedFileSink<DecodedRecord>({
      storage: tables,
      streamOf: (r) => r.stream,
      format: parquetFormat({ toArrow: arrowTablesOf(() => registry.current()), compression: 'zstd' }),
      merge: { mode: 'on-ready', targetBytes: 64 << 20 },
      readiness: { delayMs: 0, streams: Object.keys(STREAMS), policies: [successFilePolicy()] },
    }),
  );
const result = await pipeline.run();
registry.close();
process.stdout.write(`${JSON.stringify({ outcome: result.outcome })}\n`);
