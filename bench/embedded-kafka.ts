/**
 * @weir/embedded-kafka throughput through KafkaJS: produce and consume rates of 1 KB messages
 * against a one-broker embedded cluster running in a child process (`weir-kafka`), and the broker's
 * share of the CPU spent by broker + client over the run (target <= 0.5: the broker should not be
 * what limits a test or a demo). A warm-up round, then each round produces to and consumes from its
 * own topic; figures are medians over the rounds. Set WEIR_BENCH_PROFILE=<dir> to write a
 * --cpu-prof of the broker.
 */
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';

import type { BenchResult } from './support/result.js';
import { startBrokerProcess } from './support/broker-process.js';
import { size } from './support/sizes.js';
import { alternate, measured } from './support/stats.js';

const MESSAGES = size(undefined, 200_000, 20_000);
const WARMUP = 1;
const ROUNDS = size('WEIR_BENCH_ROUNDS', 3, 2);
const BATCH = 1000;
const MESSAGE_BYTES = 1024;
/** Sends in flight at once (KafkaJS producers pipeline per broker connection). */
const CONCURRENT_SENDS = 4;

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (clock ticks of 1/100 s). */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime (fields 14 and 15)
}

function clientCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function startBroker(): ReturnType<typeof startBrokerProcess> {
  return startBrokerProcess(Array.from({ length: WARMUP + ROUNDS }, (_, r) => `bench-${r}:4`), process.env.WEIR_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.WEIR_BENCH_PROFILE] : []);
}

async function produce(kafka: Kafka, topic: string): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const value = Buffer.alloc(MESSAGE_BYTES, 'x');
  const batch = Array.from({ length: BATCH }, (_, i) => ({ key: String(i), value }));
  const t0 = performance.now();
  let sent = 0;
  const worker = async (): Promise<void> => {
    while (sent < MESSAGES) {
      sent += BATCH;
      await producer.send({ topic, acks: 1, messages: batch });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT_SENDS }, worker));
  const seconds = (performance.now() - t0) / 1000;
  await producer.disconnect();
  return sent / seconds;
}

async function consume(kafka: Kafka, topic: string, expected: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `consumer-${topic}`, maxBytes: 16 << 20, maxBytesPerPartition: 4 << 20, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let count = 0;
  let t0 = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachBatchAutoResolve: true,
    eachBatch: async ({ batch }) => {
      if (t0 === 0) t0 = performance.now();
      count += batch.messages.length;
      if (count >= expected) done();
    },
  });
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  await consumer.disconnect();
  return count / seconds;
}

export async function run(): Promise<BenchResult[]> {
  const { child, brokers } = await startBroker();
  try {
    const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING });
    const round = async (r: number) => {
      const broker0 = processCpuSeconds(child.pid!);
      const client0 = clientCpuSeconds();
      const produceRate = await produce(kafka, `bench-${r}`);
      const consumeRate = await consume(kafka, `bench-${r}`, MESSAGES);
      const brokerCpu = processCpuSeconds(child.pid!) - broker0;
      const clientCpu = clientCpuSeconds() - client0;
      return { produceRate, consumeRate, share: brokerCpu / (brokerCpu + clientCpu) };
    };
    const runs = (await alternate({ round }, { rounds: ROUNDS, warmup: WARMUP })).round;
    return [
      measured('kafka.embedded.produce-msgs-per-s', 'msg/s', runs.map((x) => x.produceRate)),
      measured('kafka.embedded.consume-msgs-per-s', 'msg/s', runs.map((x) => x.consumeRate)),
      // broker CPU / (broker + client CPU) in the same round
      measured('kafka.embedded.broker-cpu-share', 'ratio', runs.map((x) => x.share), { op: '<=', value: 0.5 }),
    ];
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}
