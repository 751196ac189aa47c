/**
 * The scale-out acceptance run: an embedded Kafka cluster, an S3-compatible server (checkpoints
 * and the file sink's table), 3 instance processes of `instance.ts`, one SIGKILLed and
 * restarted, then rescaled 3 -> 2 and 2 -> 4 through savepoints on S3 while orders keep
 * arriving. Two independent readers judge the window sums: a read_committed KafkaJS consumer
 * of the Kafka sink's topic, and a reader of the committed part files on the object store;
 * each must hold every window exactly once, equal to the sums recomputed from the input.
 * Prints a final JSON line `{"scaleOut":"ok",...}` and exits 0, or `{"scaleOut":"failed",...}`
 * and exits 1.
 *
 * env: SCALE_OUT_ORDERS (orders per phase, default 1500), SCALE_OUT_BROKERS (use a running
 * cluster with the two topics instead of starting an embedded one), WEIR_S3_ENDPOINT (+
 * WEIR_S3_BUCKET, AWS_* credentials and region: use that store instead of starting s3rver,
 * under a fresh key prefix deleted afterwards; see packages/s3/README.md).
 */

import { fileURLToPath } from 'node:url';
import { startCluster } from '@weir/embedded-kafka';
import { Kafka, logLevel, type Producer } from 'kafkajs';
// the S3-compatible server of @weir/s3's tests (s3rver on a free port, or WEIR_S3_ENDPOINT)
import { startS3 } from '../../packages/s3/test/s3-server.js';
import { findSavepointSet } from '@weir/core';
import { InstanceSet } from '@weir/instances';
import { s3CheckpointStorage } from '@weir/s3';
import { hiddenTableObjects, readTable, storeFacts } from './s3-check.js';
import { INPUT_PARTITIONS, JOB_NAME, MAX_PARALLELISM, ORDERS_TOPIC, SUMS_TOPIC, TABLES_PREFIX, WINDOW_MS, checkpointPrefix, type Order, type WindowSum } from './shared.js';

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

/** Every window once and equal to the oracle: what each judge must find. */
function judge(name: string, results: readonly WindowSum[], expected: ReadonlyMap<string, number>): number {
  const got = new Map<string, number>();
  const duplicates: string[] = [];
  for (const s of results) {
    if (s.customer === 'flush') continue;
    const k = `${s.customer}@${s.start}`;
    if (got.has(k)) duplicates.push(k);
    got.set(k, s.sum);
  }
  const missing = [...expected.keys()].filter((k) => !got.has(k));
  const wrong = [...expected].filter(([k, v]) => got.has(k) && got.get(k) !== v).map(([k, v]) => `${k}: ${got.get(k)} != ${v}`);
  const unexpected = [...got.keys()].filter((k) => !expected.has(k));
  if (duplicates.length + missing.length + wrong.length + unexpected.length > 0) {
    throw new Error(`${name}: ${JSON.stringify({ duplicates: duplicates.slice(0, 5), missing: missing.slice(0, 5), wrong: wrong.slice(0, 5), unexpected: unexpected.slice(0, 5), counts: { duplicates: duplicates.length, missing: missing.length, wrong: wrong.length, unexpected: unexpected.length } })}`);
  }
  return got.size;
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
  const s3 = await startS3();
  cleanups.push(() => s3.close());
  const { endpoint, bucket, region, credentials } = s3.options('');
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

  // what the instances report: the checkpoints they restored (after the SIGKILL and the rescales)
  const restores: Array<{ instance: number; kind: string; path: string }> = [];
  const set = new InstanceSet({
    command: [process.execPath, '--conditions=weir-source', '--import', 'tsx', fileURLToPath(new URL('./instance.ts', import.meta.url))],
    // instance i's checkpoints: the same key prefix across rescales (its own newer checkpoints win after a crash)
    checkpoints: `s3://${bucket}/${s3.prefix}${checkpointPrefix('{i}')}`,
    env: {
      BROKERS: brokers.join(','),
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      TABLES: s3.prefix + TABLES_PREFIX,
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: region ?? 'us-east-1',
      AWS_ACCESS_KEY_ID: credentials!.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials!.secretAccessKey,
      ...(credentials!.sessionToken ? { AWS_SESSION_TOKEN: credentials!.sessionToken } : {}),
    },
    onLine: (i, line) => {
      log('instance output', { instance: i, line });
      if (line.startsWith('{"instance"') && line.includes('"restored"')) {
        const r = (JSON.parse(line) as { restored: { kind: string; path: string } }).restored;
        restores.push({ instance: i, kind: r.kind, path: r.path });
      }
    },
  });
  // what a pod would find on its own (docs/kubernetes.md): the newest complete savepoint set on the store
  const discover = async (parallelism: number) =>
    findSavepointSet({ jobName: JOB_NAME, storageOf: (i) => s3CheckpointStorage(s3.options(checkpointPrefix(String(i)))), locations: MAX_PARALLELISM, parallelism });
  const discovered: Array<{ after: string; ms: number }> = [];
  const checkDiscovery = async (expected: readonly string[], parallelism: number, what: string) => {
    const t0 = performance.now();
    const found = await discover(parallelism);
    const ms = Math.round(performance.now() - t0);
    if (JSON.stringify(found.restoreFrom) !== JSON.stringify(expected)) throw new Error(`findSavepointSet after ${what} found ${JSON.stringify(found.restoreFrom)}, not the suspended set ${JSON.stringify(expected)}: ${found.explanation}`);
    discovered.push({ after: what, ms });
  };
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
  // kill only once instance 1 completed a checkpoint on the store, so its restart restores from S3
  const completed = async (i: number) => (await s3.client.list(s3.prefix + checkpointPrefix(i))).objects.some((o) => /\/chk-\d+\/_metadata\.json$/.test(o.key));
  for (let end = Date.now() + 60_000; !(await completed(1)); await new Promise((r) => setTimeout(r, 200))) {
    if (Date.now() > end) throw new Error('instance 1 completed no checkpoint on the store within 60 s');
  }
  await set.kill(1);
  log('SIGKILLed instance 1');
  // hidden objects in the table at three moments (reported): what a crash and the rescales leave for the next instances
  const hiddenSeen: Record<string, string[]> = { afterKill: await hiddenTableObjects(s3.client, s3.prefix) };
  await phase('instance 1 down');
  set.restart(1);
  await progress('instance 1 restarted');
  await until(() => restores.some((r) => r.instance === 1 && r.kind === 'checkpoint'), 60_000, 'instance 1 to restore its checkpoint from the store');

  const from3 = await set.suspendAll();
  await checkDiscovery(from3, 2, 'the suspend of 3');
  set.start(2, from3);
  log('rescaled 3 -> 2', { savepoints: from3 });
  hiddenSeen.after3to2 = await hiddenTableObjects(s3.client, s3.prefix);
  await phase('2 instances');
  await progress('rescale to 2');

  const from2 = await set.rescale(4);
  log('rescaled 2 -> 4', { savepoints: from2 });
  hiddenSeen.after2to4 = await hiddenTableObjects(s3.client, s3.prefix);
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
  const from4 = await set.suspendAll();
  await checkDiscovery(from4, 4, 'the suspend of 4');

  const windowResults = judge('kafka', seen, expected);
  // the second judge: the committed part files on the object store, read back through a fresh client
  const table = await readTable(s3.options(TABLES_PREFIX));
  const fileResults = judge('files', table.rows, expected);
  const s3Facts = await storeFacts(s3.client, s3.prefix, restores, [...from3, ...from2, ...from4]);
  outcome = {
    scaleOut: 'ok',
    orders: input.length,
    windowResults,
    kills: 1,
    rescales: ['3->2', '2->4'],
    discovered,
    s3: { ...s3Facts, hiddenSeen, files: { parts: table.files, results: fileResults, bySubtask: table.bySubtask } },
    durationMs: Date.now() - started,
  };
} catch (err) {
  outcome = { scaleOut: 'failed', error: err instanceof Error ? err.message : String(err), durationMs: Date.now() - started };
}
for (const c of cleanups.reverse()) await c().catch(() => undefined);
process.stdout.write(`${JSON.stringify(outcome)}\n`);
process.exit(outcome.scaleOut === 'ok' ? 0 : 1);
