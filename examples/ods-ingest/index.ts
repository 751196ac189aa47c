/**
 * The ODS ingest pipeline on your machine, no Kafka to install: two embedded Kafka clusters get a
 * few hours of protobuf events of three streams (and some bad input); the pipeline of
 * `pipeline.ts` reads everything there is (a backfill: bounded), writes Parquet tables, merges
 * them and announces every hour; then DuckDB checks the output against what was produced.
 *
 *   node --conditions=weir-source --import tsx examples/ods-ingest [--out DIR] [--hours N] [--per-hour N]
 *
 * The output stays in DIR (default .weir-ods-ingest/, cleared by the next run). `npm run demo`
 * runs the same pipeline as a service process through crashes, an outage and a deploy.
 */

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '@weir/core';
import { startClusters } from '@weir/embedded-kafka';
import { SchemaRegistry } from '@weir/formats';
import { Kafka, logLevel } from 'kafkajs';
import { badInput, eventsBetween, expectEvents, HOUR, sendEvents, type Expected } from '../ingest/generator.js';
import { readTopic } from '../ingest/read-topic.js';
import { reconcile } from '../ingest/reconcile.js';
import { OUTPUT_STREAMS, PRODUCED, READY_TOPIC, T0, TOPIC_PATTERN, freshOutputDir, plan, prepareDirs, topicOf } from '../ingest/setup.js';
import { printSummary } from '../ingest/summary.js';
import { odsIngestPipeline } from './pipeline.js';

const { values: flags } = parseArgs({ strict: true, options: { out: { type: 'string', default: '.weir-ods-ingest' }, hours: { type: 'string', default: '3' }, 'per-hour': { type: 'string', default: '1200' } } });
const hours = Number(flags.hours);
const perHour = Number(flags['per-hour']);
if (!(hours >= 2) || !(perHour >= 20)) throw new Error('ods-ingest: --hours >= 2 and --per-hour >= 20');
const started = performance.now();
const out = resolve(flags.out!);
await freshOutputDir(out);
const dirs = await prepareDirs(out);

// two clusters of one broker each, a topic per stream and the topic for ready notifications
const topics = [...PRODUCED.map((s) => ({ name: topicOf(s), partitions: 2 })), { name: READY_TOPIC, partitions: 1 }];
const clusters = await startClusters(2, { brokers: 1, topics });
const kafkas = clusters.map((c) => new Kafka({ brokers: c.bootstrapServers, logLevel: logLevel.NOTHING }));
const producers = kafkas.map((k) => k.producer());
await Promise.all(producers.map((p) => p.connect()));

// a few hours of events, split between the clusters, and bad input that must become dead letters
const registry = await SchemaRegistry.open({ dir: dirs.schemas });
const generated = eventsBetween(plan({ clicks: perHour, orders: Math.ceil(perHour / 2), heartbeats: Math.ceil(perHour / 10) }, 2), registry.current(), 0, hours * HOUR);
registry.close();
const expected: Expected = { counts: new Map(), orderTotal: 0, good: 0, bad: 0 };
expectEvents(expected, generated);
await sendEvents(producers, generated, topicOf);
const bad = badInput();
await producers[0]!.send({ topic: topicOf('clicks'), messages: bad.map((value, i) => ({ key: `bad-${i}`, value, timestamp: String(T0 + HOUR / 2) })) });
expected.bad += bad.length;

const ingest = await odsIngestPipeline({
  clusters: clusters.map((c, i) => ({ name: ['eu', 'us'][i]!, brokers: c.bootstrapServers })),
  topics: new RegExp(TOPIC_PATTERN),
  readyTopic: { cluster: 'eu', topic: READY_TOPIC },
  schemasDir: dirs.schemas,
  etlRulesFile: dirs.etlRules,
  tablesDir: dirs.tables,
  deadLettersDir: dirs.deadLetters,
  checkpointsDir: dirs.checkpoints,
  checkpointIntervalMs: 1_000,
  streams: OUTPUT_STREAMS,
  boundedness: 'bounded',
  logger: silentLogger,
});
const result = await ingest.pipeline.run();
await ingest.close();

const check = await reconcile({ tablesDir: dirs.tables, deadLettersDir: dirs.deadLetters, expected, t0: T0, streams: OUTPUT_STREAMS, notifications: await readTopic(kafkas[0]!, READY_TOPIC) });
if (result.outcome !== 'finished') check.problems.push(`the job ended ${result.outcome}`);
await Promise.all(producers.map((p) => p.disconnect()));
await Promise.all(clusters.map((c) => c.stop()));

process.exitCode = printSummary({
  title: `ODS ingest: 2 Kafka clusters -> protobuf -> ETL -> Parquet -> merge -> ready (${((performance.now() - started) / 1000).toFixed(1)} s, ${result.outcome})`,
  check,
  outputDir: out,
  label: 'ods-ingest',
});
