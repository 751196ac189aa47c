/** What the ingest examples share: topics, schema and rules files, the generator's plan, the output layout. */

import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StreamingPlan } from './generator.js';
import { EVENTS_PROTO_V1, STREAMS, type ProducedStream } from './schemas.js';

export const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);
export const PRODUCED: ProducedStream[] = ['clicks', 'orders', 'heartbeats'];
/** One topic per produced stream; the envelope inside names the stream too. */
export const topicOf = (stream: ProducedStream) => `events.${stream}`;
export const TOPIC_PATTERN = '^events\\.';
export const READY_TOPIC = 'partitions-ready';
/** Every stream of the output (the ETL rule routes big orders to their own table). */
export const OUTPUT_STREAMS = Object.keys(STREAMS);
const BIG_ORDER = 90;

/** The ETL rule the pipeline reads from its rules file, and the same rule for the oracle. */
export const ETL_RULES = { version: 1, streams: { orders: { routeTo: [{ when: `total >= ${BIG_ORDER}`, stream: 'big-orders' }] } } };
export const routeOf = (stream: ProducedStream, id: number) => (stream === 'orders' && (id % 1000) / 10 >= BIG_ORDER ? 'big-orders' : stream);

export function plan(perHour: Record<ProducedStream, number>, clusters: number): StreamingPlan {
  return { t0: T0, perHour, silent: { stream: 'heartbeats', hour: 1 }, clusters, routeOf };
}

export interface IngestDirs {
  root: string;
  schemas: string;
  etlRules: string;
  tables: string;
  deadLetters: string;
  checkpoints: string;
}

/** The layout below `root` (the job's `--out` is `root`), with the schema and rules files written. */
export async function prepareDirs(root: string): Promise<IngestDirs> {
  const dirs = {
    root,
    schemas: join(root, 'schemas'),
    etlRules: join(root, 'etl-rules.json'),
    tables: join(root, 'tables'),
    deadLetters: join(root, 'dead-letters'),
    checkpoints: join(root, 'checkpoints'),
  };
  await mkdir(dirs.schemas, { recursive: true });
  await writeFile(join(dirs.schemas, 'events.proto'), EVENTS_PROTO_V1);
  await writeFile(join(dirs.schemas, 'streams.json'), JSON.stringify(STREAMS));
  await writeFile(dirs.etlRules, JSON.stringify(ETL_RULES, null, 2));
  return dirs;
}

const MARKER = '.weir-output';

/**
 * Empty `dir` for a new run. Only a directory an earlier run made (it holds a marker file) or an
 * empty one is cleared: a user's directory given by mistake is refused, never deleted.
 */
export async function freshOutputDir(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  if (entries.length > 0 && !entries.includes(MARKER)) throw new Error(`${dir} is not empty and was not made by a Weir example: choose another directory`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MARKER), 'made by a Weir example; cleared at its next run\n');
}
