/**
 * `npm run demo`: the core-only main job until the Kafka and Parquet packages replace it.
 * A deterministic event generator -> parse/enrich -> per-user keyed counts and event-time
 * windows -> exactly-once JSON-lines files. Halfway through, one step crashes on purpose;
 * the job restarts from its last checkpoint and the committed output is checked to be exact.
 */

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Pipeline,
  WatermarkStrategies,
  classicLevelStateBackend,
  consoleLogger,
  generatorSource,
  jsonLinesFileSink,
  tumblingWindows,
  type ValueState,
} from '@weir/core';

const SPLITS = 4;
const PER_SPLIT = 25_000;
const USERS = 500;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);

interface Event {
  user: string;
  amount: number;
  ts: number;
}

const work = await mkdtemp(join(tmpdir(), 'weir-demo-'));
const outCounts = join(work, 'counts');
const outWindows = join(work, 'hourly');
let crashed = false;

const pipeline = new Pipeline({
  name: 'demo',
  checkpoints: { dir: join(work, 'checkpoints'), intervalMs: 200 },
  stateBackend: classicLevelStateBackend(),
  restart: { kind: 'fixed-delay', maxAttempts: 3, delayMs: 200 },
  errorPolicy: 'fail',
  logger: consoleLogger('error'),
});

const events = pipeline
  .source('events', generatorSource({ splits: SPLITS, recordsPerSplit: PER_SPLIT, batchSize: 500, ratePerSecond: 40_000, generate: (s, o) => ({ s, o }) }), {
    watermarks: WatermarkStrategies.forBoundedOutOfOrderness<{ s: number; o: number }>(60_000, (r) => T0 + Math.floor((r.o * 6 * HOUR) / PER_SPLIT)),
  })
  .map('parse', (r): Event => {
    if (!crashed && r.s === 0 && r.o === PER_SPLIT / 2) {
      crashed = true;
      throw new Error('simulated crash halfway through split 0');
    }
    return { user: `u${(r.s * 31 + r.o * 7) % USERS}`, amount: (r.o % 100) + 1, ts: T0 + Math.floor((r.o * 6 * HOUR) / PER_SPLIT) };
  });

events
  .keyBy((e) => e.user)
  .process<{ user: string; n: number }>('count-per-user', () => {
    let n: ValueState<number>;
    return {
      open: (ctx) => void (n = ctx.state.valueState<number>('n')),
      processElement: (e, ctx) => {
        const next = (n.value() ?? 0) + 1;
        n.update(next);
        ctx.emit({ user: e.user, n: next });
      },
    };
  })
  .sink('counts-files', jsonLinesFileSink({ dir: outCounts }));

events
  .keyBy((e) => e.user)
  .window('hourly-spend', tumblingWindows(HOUR), { create: () => 0, add: (acc: number, e: Event) => acc + e.amount, result: (acc) => acc })
  .sink('hourly-files', jsonLinesFileSink({ dir: outWindows }));

const started = performance.now();
const job = pipeline.start();
const result = await job.done;
const seconds = (performance.now() - started) / 1000;

async function readLines<T>(dir: string): Promise<T[]> {
  const rows: T[] = [];
  for (const f of (await readdir(dir)).filter((n) => !n.startsWith('.'))) {
    for (const line of (await readFile(join(dir, f), 'utf8')).split('\n')) if (line) rows.push(JSON.parse(line) as T);
  }
  return rows;
}

const counts = await readLines<{ user: string; n: number }>(outCounts);
const hourly = await readLines<{ key: string; start: number; value: number }>(outWindows);
const perUser = new Map<string, number[]>();
for (const c of counts) perUser.set(c.user, [...(perUser.get(c.user) ?? []), c.n]);
const exact = [...perUser.values()].every((ns) => ns.sort((a, b) => a - b).every((n, i) => n === i + 1));
const totalSpend = hourly.reduce((s, h) => s + h.value, 0);
let expectedSpend = 0;
for (let s = 0; s < SPLITS; s++) for (let o = 0; o < PER_SPLIT; o++) expectedSpend += (o % 100) + 1;
const status = job.status();

console.log(`Weir demo (core runtime) finished in ${seconds.toFixed(1)} s: ${result.outcome}, ${result.restarts} restart(s) after a simulated crash`);
console.log(`  events processed      ${SPLITS * PER_SPLIT}`);
console.log(`  per-user count rows   ${counts.length} (exactly once: ${exact && counts.length === SPLITS * PER_SPLIT ? 'yes' : 'NO'})`);
console.log(`  hourly windows        ${hourly.length}, total spend ${totalSpend} (expected ${expectedSpend}: ${totalSpend === expectedSpend ? 'ok' : 'MISMATCH'})`);
console.log(`  checkpoints completed ${status.checkpoints.completed}; last checkpoint ${result.lastCheckpoint?.metadata.id ?? '-'}`);
console.log(`  output                ${work}`);
await rm(work, { recursive: true, force: true });
if (!exact || totalSpend !== expectedSpend || counts.length !== SPLITS * PER_SPLIT) process.exit(1);
