/**
 * The ODS ingest pipeline as a service process: one instance per pod, SIGTERM suspends (a
 * savepoint; the next start continues exactly), the admin endpoint serves /status, /metrics,
 * stops and the Kubernetes probes. Restart it after any crash: it resumes from its newest
 * checkpoint in --checkpoints.
 *
 *   node --conditions=weir-source --import tsx examples/ods-ingest/job.ts \
 *     --cluster eu=127.0.0.1:9092,127.0.0.1:9093 --cluster us=127.0.0.1:9095 --topic-pattern '^events\.' \
 *     --ready eu/partitions-ready --schemas ./schemas --etl-rules ./etl-rules.json \
 *     --streams clicks,orders,heartbeats --out ./out --admin-port 9464
 *
 * It prints one JSON line when it runs (`{"event":"running","admin":"http://…",…}`) and one when it
 * ends (`{"event":"stopped","outcome":…}`); logs go to stderr.
 */

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { adminServer } from '@weir/admin';
import { consoleLogger, stopOnSignals, type LogLevel } from '@weir/core';
import { odsIngestPipeline } from './pipeline.js';

const { values: flags } = parseArgs({
  strict: true, // an unknown or misspelt flag is an error, not a silent default
  options: {
    cluster: { type: 'string', multiple: true }, // name=host:port,host:port
    'topic-pattern': { type: 'string', default: '^events\\.' },
    ready: { type: 'string' }, // cluster/topic
    schemas: { type: 'string' },
    'etl-rules': { type: 'string' },
    streams: { type: 'string', default: '' },
    out: { type: 'string' }, // tables/, dead-letters/, checkpoints/ below it
    'checkpoint-interval-ms': { type: 'string', default: '2000' },
    'idleness-ms': { type: 'string', default: '60000' },
    'admin-port': { type: 'string', default: '0' },
    'admin-host': { type: 'string', default: '127.0.0.1' },
    'log-level': { type: 'string', default: 'info' },
    version: { type: 'string', default: '1' }, // a build label, shown in the first JSON line
    'stop-on-stdin-close': { type: 'boolean', default: false }, // under a supervisor that holds a pipe: never outlive it
  },
});

function required(name: keyof typeof flags): string {
  const v = flags[name];
  if (typeof v !== 'string' || v === '') throw new Error(`ods-ingest: --${name} is required`);
  return v;
}
function number(name: keyof typeof flags): number {
  const n = Number(flags[name]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`ods-ingest: --${name} must be a non-negative number, got '${String(flags[name])}'`);
  return n;
}

const clusters = (flags.cluster ?? []).map((spec) => {
  const [name, brokers] = spec.split('=');
  if (!name || !brokers) throw new Error(`ods-ingest: --cluster wants name=host:port[,host:port], got '${spec}'`);
  return { name, brokers: brokers.split(',') };
});
if (clusters.length === 0) throw new Error('ods-ingest: at least one --cluster is required');
const [readyCluster, readyTopic] = required('ready').split('/');
const out = required('out');
const logger = consoleLogger(flags['log-level'] as LogLevel, { write: (line) => process.stderr.write(`${line}\n`) });

const ingest = await odsIngestPipeline({
  clusters,
  topics: new RegExp(flags['topic-pattern']!),
  readyTopic: { cluster: readyCluster!, topic: readyTopic! },
  schemasDir: required('schemas'),
  etlRulesFile: required('etl-rules'),
  tablesDir: join(out, 'tables'),
  deadLettersDir: join(out, 'dead-letters'),
  checkpointsDir: join(out, 'checkpoints'),
  checkpointIntervalMs: number('checkpoint-interval-ms'),
  idlenessMs: number('idleness-ms'),
  streams: flags.streams!.split(',').filter(Boolean),
  logger,
});
const job = ingest.pipeline.start();
stopOnSignals(job); // SIGTERM (a deploy, a rescale, a node drain): suspend
if (flags['stop-on-stdin-close']) process.stdin.on('close', () => void job.stop({ mode: 'suspend' }).catch(() => undefined)).resume();
// with --admin-host 0.0.0.0 set WEIR_ADMIN_TOKEN: every route but the probes then needs it
const admin = await adminServer(job, { port: number('admin-port'), host: flags['admin-host'], token: process.env.WEIR_ADMIN_TOKEN || undefined });
process.stdout.write(`${JSON.stringify({ event: 'running', pid: process.pid, version: flags.version, admin: admin.url })}\n`);

// a job that gives up (its restart strategy exhausted) rejects: exit non-zero so the orchestrator restarts the pod
const ended = await job.done.then(
  (r) => ({ event: 'stopped', outcome: r.outcome }),
  (e: Error) => ({ event: 'failed', error: e.message }),
);
await admin.close();
await ingest.close();
process.stdin.destroy();
process.stdout.write(`${JSON.stringify(ended)}\n`);
process.exitCode = ended.event === 'failed' ? 1 : 0;
