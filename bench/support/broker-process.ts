/** An embedded Kafka cluster in its own process (the `weir-kafka` CLI), so its CPU is measured apart from the client's. */

import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages', 'embedded-kafka', 'bin', 'weir-kafka.js');

/** Start `weir-kafka` with one broker and `topics` (`name:partitions`); resolves with its bootstrap servers. */
export async function startBrokerProcess(topics: string[], nodeArgs: string[] = []): Promise<{ child: ChildProcess; brokers: string[] }> {
  const child = spawn(process.execPath, [...nodeArgs, BIN, '--brokers', '1', '--port', '0', ...topics.flatMap((t) => ['--topic', t])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`weir-kafka exited ${code}`)));
  });
  return { child, brokers: (JSON.parse(line) as { bootstrapServers: string[] }).bootstrapServers };
}
