import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, freePort, startCli } from '../support/cli-process.js';
import { kafkaClient, waitFor } from '../support/kafkajs.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('crash safety', () => {
  it('keeps every acknowledged (acks=all) record across SIGKILL of weir-kafka --data-dir', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-kafka-crash-'));
    dirs.push(dataDir);
    const port = await freePort(2);
    const args = ['--brokers', '2', '--port', String(port), '--data-dir', dataDir, '--topic', 'crash:4'];
    const first = await startCli(args);
    const brokers = first.clusters[0]!.bootstrapServers;
    const kafka = kafkaClient(brokers);
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();

    const acked = new Set<string>();
    let stop = false;
    const loop = (async () => {
      for (let i = 0; !stop; i++) {
        const messages = Array.from({ length: 5 }, (_, j) => ({ key: String(j), value: `m-${i}-${j}` }));
        try {
          await producer.send({ topic: 'crash', acks: -1, messages });
        } catch {
          return; // the broker died mid-request: this batch is not acknowledged
        }
        for (const m of messages) acked.add(m.value);
      }
    })();
    await waitFor(() => acked.size >= 50, 20_000, 'some acknowledged records');
    await new Promise((r) => setTimeout(r, 100 + Math.floor(Math.random() * 600)));
    first.child.kill('SIGKILL');
    expect(await exited(first.child)).toBe('SIGKILL');
    stop = true;
    await loop;
    await producer.disconnect().catch(() => {});

    const second = await startCli(args);
    expect(second.clusters[0]!.bootstrapServers).toEqual(brokers);
    expect(second.clusters[0]!.clusterId).toBe(first.clusters[0]!.clusterId);
    const seen = new Set<string>();
    const consumer = kafkaClient(brokers).consumer({ groupId: 'crash-check', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'crash', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.add(message.value!.toString()) });
    const missing = (): string[] => [...acked].filter((v) => !seen.has(v));
    await waitFor(() => missing().length === 0, 30_000, 'every acknowledged record').catch((err) => {
      throw new Error(`${(err as Error).message}: ${missing().length} of ${acked.size} missing`);
    });
    await consumer.disconnect();
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
    expect(acked.size).toBeGreaterThanOrEqual(50);
  });
});
