import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { PartitionLog } from '../../src/log/partition-log.js';
import { splitBatches } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../..');
const writer = path.join(here, 'fixtures', 'crash-writer.ts');

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

/** Run the writer until it has acked `killAfter` batches, SIGKILL it, return every ack it printed. */
function runAndKill(dataDir: string, killAfter: number): Promise<Array<{ offset: number; seq: number }>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=weir-source', writer, dataDir, '100000000'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (!killed && out.split('\n').length > killAfter) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited without being killed: ${err}`));
      // Only newline-terminated lines are complete acks; the text after the last newline may be cut.
      const acks = out
        .split('\n')
        .slice(0, -1)
        .filter((line) => /^\d+ \d+$/.test(line))
        .map((line) => {
          const [offset, seq] = line.split(' ').map(Number);
          return { offset: offset!, seq: seq! };
        });
      resolve(acks);
    });
  });
}

describe('PartitionLog crash safety', () => {
  it('keeps every acked batch when the writer is SIGKILLed mid-way', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-crash-'));
    const first = await runAndKill(dir, 2000);
    expect(first.length).toBeGreaterThanOrEqual(2000);
    // A second run continues the same producer's sequence from the replayed state, then dies too.
    const second = await runAndKill(dir, 1000);
    const acks = [...first, ...second];
    const log = PartitionLog.open({ topic: 'crash', partition: 0, dir });
    const last = acks[acks.length - 1]!;
    expect(log.highWatermark()).toBeGreaterThanOrEqual(last.offset + 2);
    expect(second[0]!.offset).toBeGreaterThan(first[first.length - 1]!.offset);
    for (const ack of acks) {
      const read = log.read(ack.offset, 1, 0);
      const [found] = splitBatches(read.records);
      expect(found?.baseOffset).toBe(ack.offset);
      expect(found?.bytes.includes(Buffer.from(`s${ack.seq}-1`))).toBe(true);
    }
    // Offsets are dense: every stored batch holds two records, none missing, none doubled.
    const all = splitBatches(log.read(0, 1 << 30, 0).records);
    expect(all.map((b) => b.baseOffset)).toEqual(all.map((_, i) => i * 2));
    await log.close();
  });
});
