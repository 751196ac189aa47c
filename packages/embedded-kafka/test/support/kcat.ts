import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { it } from 'vitest';

export const KCAT = '/usr/bin/kcat';
export const hasKcat = fs.existsSync(KCAT);
const run = promisify(execFile);

/** `it`, or a skipped test naming why when kcat is missing. */
export const itKcat = hasKcat ? it : (name: string, fn: () => Promise<void>): void => it.skip(`${name} [kcat not installed]`, fn);

/** librdkafka `-X` settings as arguments. */
export const kcatProps = (props: Record<string, string>): string[] => Object.entries(props).flatMap(([k, v]) => ['-X', `${k}=${v}`]);

/** Produces lines (value only) with kcat; rejects with kcat's stderr on a non-zero exit. */
export function kcatProduce(brokers: string[], topic: string, lines: string[], extra: string[] = []): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(KCAT, ['-b', brokers.join(','), '-P', '-t', topic, ...extra], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`kcat exited ${code}: ${err}`))));
    child.stdin.end(lines.join('\n') + '\n');
  });
}

/** Consumes a topic from the beginning to its end; returns the values. */
export async function kcatConsume(brokers: string[], topic: string, extra: string[] = []): Promise<string[]> {
  const { stdout } = await run(KCAT, ['-b', brokers.join(','), '-C', '-t', topic, '-e', '-o', 'beginning', '-f', '%s\\n', '-q', ...extra], { timeout: 20_000 });
  return stdout.split('\n').filter(Boolean);
}
