/**
 * The ODS ingest pipeline, as a template: protobuf envelopes from topics on several Kafka clusters
 * -> parse (schema registry, switched at checkpoint barriers) -> configured ETL rules (a watched
 * JSON file) -> your own ETL -> Parquet tables partitioned by event hour -> small files merged ->
 * each hour announced ready (`_SUCCESS` and a record on a Kafka topic). Records a step cannot
 * handle go to dead-letter files with the reason and the Kafka position.
 *
 * Copy this file, change the ETL step and the options; `job.ts` runs it as a service.
 */

import { Pipeline, WatermarkStrategies, jsonLinesFileSink, type DeadLetter, type Logger } from '@weir/core';
import { bucketedFileSink, kafkaNotificationPolicy, successFilePolicy, type NotificationRecord } from '@weir/files';
import { parquetFormat } from '@weir/files/parquet';
import { SchemaRegistry, broadcastRulesFile, broadcastSchemas, etlStep, parseEnvelope, type DecodedRecord } from '@weir/formats';
import { kafkaSource, type KafkaRecord } from '@weir/kafka';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { arrowTablesOf } from '../ingest/arrow-tables.js';
import { readTopic } from '../ingest/read-topic.js';

export interface OdsIngestConfig {
  /** Kafka clusters to read; each lists its brokers. All are read at once; one may be down. */
  clusters: Array<{ name: string; brokers: string[] }>;
  /** Topics to read on every cluster (a pattern, e.g. /^events\./, or names). */
  topics: RegExp | string[];
  /** Where the ready notifications go: a topic on one of the clusters. */
  readyTopic: { cluster: string; topic: string };
  /** Protobuf schemas: `*.proto` and `streams.json` (stream -> message type), hot-reloaded. */
  schemasDir: string;
  /** Per-stream ETL rules (filter, route, project, rename), hot-reloaded. */
  etlRulesFile: string;
  /** Output roots: Parquet tables, dead letters, checkpoints (use a persistent volume). */
  tablesDir: string;
  deadLettersDir: string;
  checkpointsDir: string;
  checkpointIntervalMs: number;
  /** Streams announced every hour even when they had no data. */
  streams: string[];
  /** 'bounded' reads what is there at the start and finishes (a backfill); default: run until stopped. */
  boundedness?: 'bounded' | 'unbounded';
  /**
   * Event time may run this far out of order (default 1 minute). Splits without data for
   * `idlenessMs` (wall clock, default 60 s) stop holding event time back: keep it longer than a
   * stall of a loaded machine or a short cluster outage, or their data arrives late.
   */
  outOfOrdernessMs?: number;
  idlenessMs?: number;
  /** After each completed checkpoint its offsets are committed to this group, for lag monitors (default 'ods-ingest'). */
  commitGroupId?: string;
  logger?: Logger;
}

export interface OdsIngest {
  pipeline: Pipeline;
  /** Close what the pipeline does not own (registry, notification producer); after the job ended. */
  close(): Promise<void>;
}

/** Build the pipeline (not started): `const { pipeline } = await odsIngestPipeline(config); pipeline.start()`. */
export async function odsIngestPipeline(config: OdsIngestConfig): Promise<OdsIngest> {
  const registry = await SchemaRegistry.open({ dir: config.schemasDir });
  registry.watch({ intervalMs: 1_000 });
  const readyCluster = config.clusters.find((c) => c.name === config.readyTopic.cluster);
  if (readyCluster === undefined) throw new Error(`readyTopic.cluster '${config.readyTopic.cluster}' is not one of the clusters (${config.clusters.map((c) => c.name).join(', ')})`);
  const kafka = new Kafka({ clientId: 'ods-ingest', brokers: readyCluster.brokers, logLevel: logLevel.NOTHING });
  const producer: Producer = kafka.producer({ idempotent: true });
  await producer.connect();

  const pipeline = new Pipeline({
    name: 'ods-ingest',
    checkpoints: { dir: config.checkpointsDir, intervalMs: config.checkpointIntervalMs },
    logger: config.logger,
  });
  // schema reloads and rule edits switch every step at the same checkpoint barrier
  const schemas = broadcastSchemas(pipeline, 'schemas', registry);
  const rules = await broadcastRulesFile(pipeline, 'etl-rules', config.etlRulesFile, { intervalMs: 1_000, onError: (e) => config.logger?.warn(`etl rules: ${e.message}`) });

  pipeline
    .source(
      'events',
      kafkaSource({
        clusters: config.clusters.map((c) => ({ name: c.name, brokers: c.brokers, topics: config.topics })),
        boundedness: config.boundedness ?? 'unbounded',
        commitGroupId: config.commitGroupId ?? 'ods-ingest',
      }),
      {
        watermarks: WatermarkStrategies.forBoundedOutOfOrderness<KafkaRecord>(config.outOfOrdernessMs ?? 60_000, (r) => r.timestamp).withIdleness(
          config.idlenessMs ?? 60_000,
        ),
      },
    )
    // bad bytes, unknown streams, failed decompression: dead letters with the Kafka position
    .map('parse', parseEnvelope(() => schemas.current()))
    .flatMap('etl-rules', etlStep<DecodedRecord>(rules))
    // your ETL: here user names are normalised (values stay protobufjs messages for the Arrow builder)
    .map('etl', (r: DecodedRecord) => {
      if (typeof r.value.user === 'string') r.value.user = r.value.user.toUpperCase();
      return r;
    })
    .sink(
      'tables',
      bucketedFileSink<DecodedRecord>({
        storage: config.tablesDir,
        streamOf: (r) => r.stream,
        format: parquetFormat({ toArrow: arrowTablesOf(() => schemas.current()), compression: 'zstd' }),
        merge: { mode: 'on-ready', targetBytes: 64 << 20 },
        readiness: {
          delayMs: 0,
          streams: config.streams,
          policies: [
            successFilePolicy(),
            kafkaNotificationPolicy({
              topic: config.readyTopic.topic,
              producer,
              // after a crash between sending and recording it: was it sent? (no duplicate notification)
              wasPublished: async (record) => (await readTopic(kafka, record.topic)).some((m) => sameNotification(m, record)),
            }),
          ],
        },
        // data for an hour already announced (a split idle too long) is appended and announced again
        late: { mode: 'reannounce' },
      }),
    );
  pipeline.deadLetters().sink(
    'dead-letters',
    jsonLinesFileSink<DeadLetter>({ dir: config.deadLettersDir, format: (d) => JSON.stringify({ step: d.step, error: d.error, position: d.position }) }),
  );
  return {
    pipeline,
    close: async () => {
      registry.close();
      await producer.disconnect();
    },
  };
}

function sameNotification(m: { key: string | null; value: string | null }, r: NotificationRecord): boolean {
  if (m.key !== r.key || m.value === null) return false;
  return (JSON.parse(m.value) as { version: number }).version === (JSON.parse(r.value) as { version: number }).version;
}
