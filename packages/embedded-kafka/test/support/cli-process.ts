import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'weir-kafka.js');

/** A running `weir-kafka` child process and the cluster lines it printed. */
export interface CliProcess {
  child: ChildProcess;
  clusters: Array<{ cluster: number; clusterId: string; bootstrapServers: string[] }>;
  stderr: () => string;
}

/** Starts the CLI and resolves once it printed `expectedClusters` JSON lines. */
export function startCli(args: string[], expectedClusters = 1, timeoutMs = 30_000): Promise<CliProcess> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`weir-kafka did not start: ${err}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`weir-kafka exited ${code}: ${err}`));
    });
    child.stdout!.on('data', (d) => {
      out += d;
      const lines = out.split('\n').filter(Boolean);
      if (lines.length >= expectedClusters) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, clusters: lines.map((l) => JSON.parse(l)), stderr: () => err });
      }
    });
  });
}

/** Resolves with the exit code (or signal) of a child. */
export function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
}

/** A currently free TCP port on 127.0.0.1 (with `count` free consecutive ports when possible). */
export async function freePort(count = 1): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
      s.on('error', reject);
    });
    if (count === 1 || (await allFree(base + 1, count - 1))) return base;
  }
  throw new Error('no free ports');
}

async function allFree(start: number, count: number): Promise<boolean> {
  for (let p = start; p < start + count; p++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(p, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (!ok) return false;
  }
  return true;
}
