/**
 * @weir/kafka sink: `kafka.pipeline-vs-handloop.<adapter>` — Kafka -> map -> Kafka through a Weir
 * pipeline (bounded kafkaSource, a map step, the at-least-once kafkaSink, checkpoints every second),
 * once per transport adapter (`kafkajs`, `platformatic`: source and sink on it), versus a
 * hand-written KafkaJS consume-transform-produce loop (`eachBatch` over the 4 partitions
 * concurrently, each fetched batch sent in awaited sends of at most 1,000 messages, offsets
 * committed by the consumer), both
 * at-least-once (acks=-1), both fetching up to 1 MiB per partition, both timed from the first
 * record (no startup, no group join), on the same embedded cluster (one broker in a child process, `weir-kafka`).
 * Value: Weir records/s; baseline: hand loop records/s; ratio = Weir / hand loop (target >= 0.8).
 * `kafka.sink.exactly-once-vs-at-least-once`: the Weir pipeline on the default adapter with the
 * exactly-once sink (a transaction per checkpoint, checkpoints every second); baseline: its
 * at-least-once run. All run in the same rounds in rotating order after a warm-up round, each on
 * its own output topic.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { Pipeline, silentLogger } from '@weir/core';
import { defaultTransport, kafkaSink, kafkaSource, type KafkaAdapterName, type KafkaRecord } from '@weir/kafka';
import type { BenchResult } from './support/result.js';
import { startBrokerProcess } from './support/broker-process.js';
import { ROUNDS, size } from './support/sizes.js';
import { alternate, comparison, logRounds } from './support/stats.js';

const RECORDS = size('WEIR_BENCH_KAFKA_SINK_RECORDS', 300_000, 30_000);
const PARTITIONS = 4;
const FETCH_BYTES = 1 << 20;
const WARMUP = 1;
/**
 * Messages per KafkaJS send in the hand loop: KafkaJS 2.2.4 groups a send's messages by partition
 * in time quadratic in their number, so a competent loop splits an ~8,000-message fetch.
 */
const SEND_MAX = 1000;
const VALUE = Buffer.alloc(100, 'v');
/** The adapter `defaultTransport()` picks (the exactly-once comparison runs on it). */
const DEFAULT_ADAPTER: KafkaAdapterName = 'platformatic';

function startBroker(): ReturnType<typeof startBrokerProcess> {
  const rounds = Array.from({ length: WARMUP + ROUNDS }, (_, r) => [`weir-kafkajs-${r}`, `weir-platformatic-${r}`, `hand-${r}`, `eos-${r}`]).flat();
  return startBrokerProcess(['in', ...rounds].map((t) => `${t}:${PARTITIONS}`));
}

async function fill(brokers: string[]): Promise<void> {
  const producer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  let sent = 0;
  const worker = async () => {
    while (sent < RECORDS) {
      const start = sent;
      sent += 1000;
      const n = Math.min(1000, RECORDS - start);
      await producer.send({ topic: 'in', acks: 1, messages: Array.from({ length: n }, (_, i) => ({ key: `k${(start + i) % 1000}`, value: VALUE })) });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  await producer.disconnect();
}

const transform = (value: Buffer | null): Buffer => {
  const out = Buffer.from(value ?? VALUE);
  out[0] = 0x56;
  return out;
};

/** A run only counts when its output topic holds every record (high watermarks; markers and duplicates only add). */
async function checkDelivered(brokers: string[], topic: string): Promise<void> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const total = offsets.reduce((a, o) => a + Number(o.high), 0);
  if (total < RECORDS) throw new Error(`${topic}: ${total} records delivered, expected ${RECORDS}`);
}

/** Weir: bounded Kafka source -> map -> at-least-once Kafka sink, source and sink on `adapter`. Records/s. */
async function weir(brokers: string[], topic: string, adapter: KafkaAdapterName, guarantee: 'at-least-once' | 'exactly-once' = 'at-least-once'): Promise<number> {
  const transport = defaultTransport(adapter);
  const dir = await mkdtemp(join(tmpdir(), 'weir-bench-kafka-sink-'));
  try {
    const p = new Pipeline({ name: 'bench-sink', checkpoints: { dir, intervalMs: 1_000 }, logger: silentLogger });
    let t0 = 0;
    p.source('in', kafkaSource({ clusters: [{ name: 'main', brokers, topics: ['in'] }], boundedness: 'bounded', fetchMaxBytesPerPartition: FETCH_BYTES, transport }))
      .map('transform', (r: KafkaRecord) => {
        if (t0 === 0) t0 = performance.now(); // from the first record, like the hand loop (no startup)
        return { key: r.key, value: transform(r.value) };
      })
      .sink('out', kafkaSink<{ key: Buffer | null; value: Buffer }>({ clusters: [{ brokers }], topic, guarantee, serialize: (r) => r, transport }));
    const result = await p.run();
    const s = (performance.now() - t0) / 1000;
    if (result.outcome !== 'finished') throw new Error(`weir pipeline ended ${result.outcome}`);
    await checkDelivered(brokers, topic);
    return RECORDS / s;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Hand loop: KafkaJS eachBatch, transform, awaited sends of at most SEND_MAX messages. Records/s. */
async function handLoop(brokers: string[], topic: string): Promise<number> {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `hand-${topic}`, maxBytesPerPartition: FETCH_BYTES, maxBytes: FETCH_BYTES * PARTITIONS });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: 'in', fromBeginning: true });
  let seen = 0;
  let t0 = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.run({
    eachBatchAutoResolve: true,
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async ({ batch, heartbeat }) => {
      if (t0 === 0) t0 = performance.now(); // from the first batch: group join excluded
      const messages = batch.messages.map((m) => ({ key: m.key, value: transform(m.value) }));
      for (let i = 0; i < messages.length; i += SEND_MAX) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + SEND_MAX) });
      seen += messages.length;
      await heartbeat();
      if (seen >= RECORDS) done();
    },
  });
  await finished;
  const s = (performance.now() - t0) / 1000;
  await consumer.disconnect();
  await producer.disconnect();
  await checkDelivered(brokers, topic);
  return RECORDS / s;
}

export async function run(): Promise<BenchResult[]> {
  const { child, brokers } = await startBroker();
  try {
    await fill(brokers);
    const r = await alternate(
      {
        kafkajs: (round) => weir(brokers, `weir-kafkajs-${round}`, 'kafkajs'),
        platformatic: (round) => weir(brokers, `weir-platformatic-${round}`, 'platformatic'),
        hand: (round) => handLoop(brokers, `hand-${round}`),
        eos: (round) => weir(brokers, `eos-${round}`, DEFAULT_ADAPTER, 'exactly-once'),
      },
      { rounds: ROUNDS, warmup: WARMUP },
    );
    logRounds('kafka-sink', { 'weir on kafkajs': r.kafkajs, 'weir on platformatic': r.platformatic, 'hand loop': r.hand, 'weir exactly-once': r.eos }, 'records/s');
    const target = { op: '>=' as const, value: 0.8 };
    return [
      comparison('kafka.pipeline-vs-handloop.kafkajs', 'records/s', r.kafkajs, r.hand, { target, baselineLabel: 'KafkaJS eachBatch loop' }),
      comparison('kafka.pipeline-vs-handloop.platformatic', 'records/s', r.platformatic, r.hand, { target, baselineLabel: 'KafkaJS eachBatch loop' }),
      comparison('kafka.sink.exactly-once-vs-at-least-once', 'records/s', r.eos, r[DEFAULT_ADAPTER], { baselineLabel: `Weir at-least-once (${DEFAULT_ADAPTER})` }),
    ];
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

// `node --conditions=weir-source --import tsx bench/kafka-sink.ts` runs it alone
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await run(), null, 2));
}
