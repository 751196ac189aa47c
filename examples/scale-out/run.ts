/**
 * The scale-out acceptance run: an embedded Kafka cluster, 3 instance processes of
 * `instance.ts`, one SIGKILLed and restarted, then rescaled 3 -> 2 and 2 -> 4 through savepoints
 * while orders keep arriving. An independent read_committed KafkaJS consumer reads the window
 * sums; every window must appear exactly once and equal the sums recomputed from the input.
 * Prints a final JSON line `{"scaleOut":"ok",...}` and exits 0, or `{"scaleOut":"failed",...}`
 * and exits 1.
 *
 * env: SCALE_OUT_ORDERS (orders per phase, default 1500), SCALE_OUT_BROKERS (use a running
 * cluster with the two topics instead of starting an embedded one).
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster } from '@weir/embedded-kafka';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { InstanceSet } from './instance-set.js';
import { INPUT_PARTITIONS, ORDERS_TOPIC, SUMS_TOPIC, WINDOW_MS, type Order, type WindowSum } from './shared.js';

const PER_PHASE = Number(process.env.SCALE_OUT_ORDERS ?? 1500);
const CUSTOMERS = 40;
const BASE = Date.UTC(2026, 11, 1);
/** Event time advances 4 ms per order: about 250 orders per one-second window. */
const STEP_MS = 4;

const started = Date.now();
const log = (msg: string, fields: Record<string, unknown> = {}) => process.stderr.write(`${JSON.stringify({ t: Date.now() - started, msg, ...fields })}\n`);

function order(id: number): Order {
  return { id, customer: `customer-${(id * 7) % CUSTOMERS}`, amount: (id % 17) + 1, ts: BASE + id * STEP_MS };
}

async function produceOrders(producer: Producer, from: number, to: number): Promise<Order[]> {
  const out: Order[] = [];
  for (let start = from; start < to; start += 500) {
    const batch = Array.from({ length: Math.min(500, to - start) }, (_, k) => order(start + k));
    out.push(...batch);
    // keyed by order id: one customer's orders are spread over all 12 partitions
    await producer.send({ topic: ORDERS_TOPIC, messages: batch.map((o) => ({ key: String(o.id), value: JSON.stringify(o), timestamp: String(o.ts) })) });
  }
  return out;
}

function oracle(orders: readonly Order[], closedBy: number): Map<string, number> {
  const sums = new Map<string, number>();
  for (const o of orders) {
    const start = o.ts - (o.ts % WINDOW_MS);
    if (start + WINDOW_MS > closedBy) continue;
    const k = `${o.customer}@${start}`;
    sums.set(k, (sums.get(k) ?? 0) + o.amount);
  }
  return sums;
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const cleanups: Array<() => Promise<unknown>> = [];
let outcome: Record<string, unknown>;
try {
  let brokers: string[];
  if (process.env.SCALE_OUT_BROKERS) brokers = process.env.SCALE_OUT_BROKERS.split(',');
  else {
    const cluster = await startCluster({ brokers: 1, topics: [{ name: ORDERS_TOPIC, partitions: INPUT_PARTITIONS }, { name: SUMS_TOPIC, partitions: 3 }] });
    cleanups.push(() => cluster.stop());
    brokers = cluster.bootstrapServers;
  }
  const work = await mkdtemp(join(tmpdir(), 'weir-scale-out-'));
  cleanups.push(() => rm(work, { recursive: true, force: true }));
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  cleanups.push(() => producer.disconnect());

  // the independent judge: a read_committed consumer of the sink's topic
  const seen: WindowSum[] = [];
  const consumer = kafka.consumer({ groupId: `scale-out-judge-${Date.now()}`, readUncommitted: false });
  await consumer.connect();
  cleanups.push(() => consumer.disconnect());
  await consumer.subscribe({ topic: SUMS_TOPIC, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(JSON.parse(message.value!.toString()) as WindowSum) });
  const results = () => seen.filter((s) => s.customer !== 'flush').length;

  const set = new InstanceSet({
    script: fileURLToPath(new URL('./instance.ts', import.meta.url)),
    checkpointRoot: join(work, 'checkpoints'),
    env: { BROKERS: brokers.join(',') },
    onLine: (i, line) => log('instance output', { instance: i, line }),
  });
  cleanups.push(() => set.killAll());

  const input: Order[] = [];
  let next = 0;
  const phase = async (what: string) => {
    input.push(...(await produceOrders(producer, next, next + PER_PHASE)));
    next += PER_PHASE;
    log('produced', { phase: what, orders: input.length });
  };
  const progress = async (what: string) => {
    const before = results();
    await until(() => results() > before, 90_000, `window results after ${what}`);
    log('results flowing', { after: what, results: results() });
  };

  await phase('3 instances');
  set.start(3);
  await progress('start on 3 instances');
  await set.kill(1);
  log('SIGKILLed instance 1');
  await phase('instance 1 down');
  set.restart(1);
  await progress('instance 1 restarted');

  const from3 = await set.rescale(2);
  log('rescaled 3 -> 2', { savepoints: from3 });
  await phase('2 instances');
  await progress('rescale to 2');

  const from2 = await set.rescale(4);
  log('rescaled 2 -> 4', { savepoints: from2 });
  await phase('4 instances');
  // one far-ahead record per partition moves event time past every window of the input
  const flushTs = BASE + next * STEP_MS + 5 * WINDOW_MS;
  await producer.send({
    topic: ORDERS_TOPIC,
    messages: Array.from({ length: INPUT_PARTITIONS }, (_, p) => ({ partition: p, key: 'flush', value: JSON.stringify({ id: -1, customer: 'flush', amount: 0, ts: flushTs }), timestamp: String(flushTs) })),
  });

  const expected = oracle(input, flushTs);
  await until(() => results() >= expected.size, 120_000, `all ${expected.size} window results`);
  // time for a duplicate to show up if the job wrote one
  await new Promise((r) => setTimeout(r, 2000));
  await set.suspendAll();

  const got = new Map<string, number>();
  const duplicates: string[] = [];
  for (const s of seen) {
    if (s.customer === 'flush') continue;
    const k = `${s.customer}@${s.start}`;
    if (got.has(k)) duplicates.push(k);
    got.set(k, s.sum);
  }
  const missing = [...expected.keys()].filter((k) => !got.has(k));
  const wrong = [...expected].filter(([k, v]) => got.has(k) && got.get(k) !== v).map(([k, v]) => `${k}: ${got.get(k)} != ${v}`);
  const unexpected = [...got.keys()].filter((k) => !expected.has(k));
  if (duplicates.length + missing.length + wrong.length + unexpected.length > 0) {
    throw new Error(JSON.stringify({ duplicates: duplicates.slice(0, 5), missing: missing.slice(0, 5), wrong: wrong.slice(0, 5), unexpected: unexpected.slice(0, 5), counts: { duplicates: duplicates.length, missing: missing.length, wrong: wrong.length, unexpected: unexpected.length } }));
  }
  outcome = { scaleOut: 'ok', orders: input.length, windowResults: got.size, kills: 1, rescales: ['3->2', '2->4'], durationMs: Date.now() - started };
} catch (err) {
  outcome = { scaleOut: 'failed', error: err instanceof Error ? err.message : String(err), durationMs: Date.now() - started };
}
for (const c of cleanups.reverse()) await c().catch(() => undefined);
process.stdout.write(`${JSON.stringify(outcome)}\n`);
process.exit(outcome.scaleOut === 'ok' ? 0 : 1);
