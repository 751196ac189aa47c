import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { startCluster } from '@weir/embedded-kafka';
import { SchemaRegistry } from '@weir/formats';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, expect, it } from 'vitest';
import { tempDir } from '../../packages/core/test/runtime/helpers.js';
import { produceHours, type Expected } from './generator.js';
import { EVENTS_PROTO_V1, STREAMS } from './schemas.js';

const JOB = fileURLToPath(new URL('./ingest-job.ts', import.meta.url));
const KILLS = Number(process.env.WEIR_CRASH_KILLS ?? 5);
const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);
// more kills need more input, so that the job cannot finish before the last kill (3 hours outlast 5 kills here)
const HOURS = [...Array(Math.max(3, Math.ceil(KILLS * 0.6))).keys()];

const cluster = await startCluster({ brokers: 1, topics: [{ name: 'raw-events', partitions: 4 }] });
afterAll(() => cluster.stop());

function runChild(args: string[], killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=weir-source', '--import', 'tsx', JOB, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
}

async function files(dir: string, found: { parquet: string[]; hidden: string[] } = { parquet: [], hidden: [] }) {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await files(p, found);
    else if (e.name.startsWith('.')) found.hidden.push(p);
    else if (e.name.endsWith('.parquet')) found.parquet.push(p);
  }
  return found;
}

it(`ingest pipeline SIGKILLed ${KILLS} times: DuckDB sees every record exactly once, nothing hidden left`, async () => {
  const work = await tempDir('weir-ingest-crash-');
  const schemas = join(work, 'schemas');
  await mkdir(schemas, { recursive: true });
  await writeFile(join(schemas, 'events.proto'), EVENTS_PROTO_V1);
  await writeFile(join(schemas, 'streams.json'), JSON.stringify(STREAMS));
  const registry = await SchemaRegistry.open({ dir: schemas });
  const producer = new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const expected: Expected = { counts: new Map(), orderTotal: 0, good: 0, bad: 0 };
  await produceHours({
    producer,
    topic: 'raw-events',
    snapshot: registry.current(),
    t0: T0,
    hours: HOURS,
    perHour: { clicks: 3000, orders: 1500, heartbeats: 300 },
    silent: { stream: 'heartbeats', hour: 1 },
    withReferrer: false,
    expected,
    firstId: 0,
  });
  await producer.disconnect();
  registry.close();

  const args = [cluster.bootstrapServers.join(','), join(work, 'tables'), join(work, 'checkpoints'), schemas];
  let kills = 0;
  while (kills < KILLS) {
    const r = await runChild(args, 1200 + Math.floor(Math.random() * 1500));
    if (r.signal === 'SIGKILL') kills++;
    else if (r.code === 0) break;
    else throw new Error(`ingest job failed: ${r.out}`);
  }
  expect(kills).toBe(KILLS);
  const last = await runChild(args);
  expect(last.code, last.out).toBe(0);

  const found = await files(join(work, 'tables'));
  expect(found.hidden).toEqual([]);
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  const list = (stream: string) => `[${found.parquet.filter((f) => f.includes(`/${stream}/`)).map((f) => `'${f}'`).join(', ')}]`;
  for (const stream of ['clicks', 'orders'] as const) {
    const r = await db.runAndReadAll(`SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS d FROM read_parquet(${list(stream)})`);
    const { n, d } = r.getRowObjects()[0]!;
    const want = [...expected.counts].filter(([k]) => k.startsWith(`${stream}|`)).reduce((s, [, v]) => s + v, 0);
    expect({ stream, n: Number(n), distinct: Number(d) }).toEqual({ stream, n: want, distinct: want });
  }
  const hb = await db.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet(${list('heartbeats')})`);
  const heartbeats = [...expected.counts].filter(([k]) => k.startsWith('heartbeats|')).reduce((s, [, v]) => s + v, 0);
  expect(Number(hb.getRowObjects()[0]!.n)).toBe(heartbeats);
  db.closeSync();
  instance.closeSync();
}, 240_000);
