/**
 * Fuzz: random and mutated frames built from the protocol's request schemas, sent at a broker
 * process (the CLI, so a crash cannot hide inside the test process). Afterwards the broker must
 * still serve KafkaJS and kcat, its memory must stay bounded and it must not have crashed or logged
 * an internal error. Bounded for CI (WEIR_FUZZ_FRAMES frames, default 3000, and WEIR_FUZZ_SECONDS,
 * default 6); WEIR_FUZZ_SEED replays a run.
 */
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeResponse, encodeRequest } from '../../src/protocol/index.js';
import { exited, freePort, startCli, type CliProcess } from '../support/cli-process.js';
import { FrameFuzzer, type FrameKind } from '../support/fuzz-frames.js';
import { kafkaClient } from '../support/kafkajs.js';
import { itKcat, kcatConsume, kcatProduce, kcatProps } from '../support/kcat.js';

const FRAMES = Number(process.env.WEIR_FUZZ_FRAMES ?? 3000);
const SECONDS = Number(process.env.WEIR_FUZZ_SECONDS ?? (process.env.WEIR_FUZZ_FRAMES ? 600 : 6));
const SEED = Number(process.env.WEIR_FUZZ_SEED ?? 20261203);
const CONCURRENCY = 8;
const RSS_GROWTH_LIMIT_MB = 200;

let cli: CliProcess;
let plainPorts: number[];
let saslPort: number;
const internalErrors: string[] = [];

/** Resident set size of a process, from /proc (Linux). */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

beforeAll(async () => {
  const p = await freePort(3);
  plainPorts = [p, p + 1];
  saslPort = p + 2;
  cli = await startCli(['--brokers', '2', '--topic', 'fz:2', '--topic', 'probe:1', '--user', 'alice:pw', '--max-request-bytes', String(1024 * 1024),
    '--listener', `0:PLAINTEXT:${p}`, '--listener', `1:PLAINTEXT:${p + 1}`, '--listener', `0:SASL_PLAINTEXT:${p + 2}`]);
  // Handler failures are logged as "[error]"; a closed connection for bad input is only "[warn]".
  cli.child.stderr!.on('data', (d: Buffer) => {
    for (const line of String(d).split('\n')) if (line.startsWith('[error]') && internalErrors.length < 20) internalErrors.push(line.slice(0, 300));
  });
});
afterAll(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGTERM');
    await exited(cli.child);
  }
});

/** One connection: a burst of frames, stopping after one whose size prefix is broken; closed shortly after. */
async function burst(port: number, frames: Buffer[]): Promise<void> {
  const s = net.connect({ host: '127.0.0.1', port });
  s.on('error', () => {});
  s.on('data', () => {});
  await new Promise<void>((resolve) => {
    s.once('connect', () => resolve());
    s.once('close', () => resolve());
  });
  for (const f of frames) s.write(f);
  await new Promise((r) => setTimeout(r, 10));
  s.destroy();
}

/** A fresh connection gets ApiVersions and Metadata answered within 3 s (the broker is not stuck). */
async function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 3000);
    s.on('error', () => done(false));
    s.on('connect', () => {
      s.write(encodeRequest(18, 0, 1, 'probe', {}));
      s.write(encodeRequest(3, 1, 2, 'probe', { topics: [{ name: 'probe' }] }));
    });
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const first = buf.length >= 4 ? 4 + buf.readInt32BE(0) : Infinity;
      if (buf.length >= first + 4 && buf.length >= first + 4 + buf.readInt32BE(first)) {
        const meta = decodeResponse(3, 1, buf.subarray(first + 4, first + 4 + buf.readInt32BE(first)));
        done(meta.body.topics[0]?.errorCode === 0);
      }
    });
  });
}

describe('fuzzing a running broker with schema-derived frames', () => {
  it(`survives ${FRAMES} random and mutated frames (seed ${SEED})`, async () => {
    const fuzzer = new FrameFuzzer(SEED);
    const pid = cli.child.pid!;
    const rssBefore = rssMb(pid);
    let rssPeak = rssBefore;
    const byKind = new Map<FrameKind, number>();
    let sent = 0;
    let connections = 0;
    let stuck = 0;
    const deadline = Date.now() + SECONDS * 1000;
    while (sent < FRAMES && Date.now() < deadline && cli.child.exitCode === null) {
      await Promise.all(
        Array.from({ length: CONCURRENCY }, (_, i) => {
          const frames: Buffer[] = [];
          for (let k = 0; k < 1 + (i % 10) && sent < FRAMES; k++) {
            const f = fuzzer.next();
            frames.push(f.bytes);
            byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
            sent++;
            if (!f.framed) break;
          }
          connections++;
          // One connection in eight goes to the SASL listener, where everything but SASL must close it.
          return burst(i === 7 ? saslPort : plainPorts[i % 2]!, frames);
        }),
      );
      rssPeak = Math.max(rssPeak, rssMb(pid));
      if (connections % 400 < CONCURRENCY && !(await probe(plainPorts[connections % 2]!))) stuck++;
    }
    for (const port of plainPorts) if (!(await probe(port))) stuck++;
    const rssAfter = rssMb(pid);
    const crashed = cli.child.exitCode !== null ? 1 : 0;
    const summary = {
      seed: SEED, framesSent: sent, connections, byKind: Object.fromEntries(byKind),
      faults: { crashed, stuck, internalErrors: internalErrors.length }, rssMb: { before: rssBefore, peak: rssPeak, after: rssAfter },
    };
    console.log(`fuzz summary ${JSON.stringify(summary)}`);
    expect(internalErrors).toEqual([]);
    expect(summary.faults).toEqual({ crashed: 0, stuck: 0, internalErrors: 0 });
    expect(rssPeak - rssBefore).toBeLessThan(RSS_GROWTH_LIMIT_MB);
    expect(sent).toBeGreaterThanOrEqual(Math.min(FRAMES, 500));
  });

  it('KafkaJS still produces and consumes afterwards', async () => {
    const kafka = kafkaClient(plainPorts.map((p) => `127.0.0.1:${p}`));
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'after-fuzz', numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'after-fuzz', messages: [{ value: 'kafkajs-ok' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'after-fuzz-group', maxWaitTimeInMs: 100 });
    const got: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'after-fuzz', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void got.push(String(message.value)) });
    const end = Date.now() + 15_000;
    while (!got.includes('kafkajs-ok') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await consumer.disconnect();
    expect(got).toContain('kafkajs-ok');
  });

  itKcat('kcat still produces and consumes afterwards, also over SASL', async () => {
    const brokers = plainPorts.map((p) => `127.0.0.1:${p}`);
    await kcatProduce(brokers, 'after-fuzz', ['kcat-ok']);
    expect(await kcatConsume(brokers, 'after-fuzz')).toContain('kcat-ok');
    const sasl = kcatProps({ 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'SCRAM-SHA-512', 'sasl.username': 'alice', 'sasl.password': 'pw' });
    // Only broker 0 has a SASL listener, so Metadata over it names broker 0 alone.
    expect(await kcatConsume([`127.0.0.1:${saslPort}`], 'probe', sasl)).toEqual([]);
    expect(cli.child.exitCode).toBeNull();
  });
});
