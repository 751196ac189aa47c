/**
 * Scratch directories of a run (embedded state stores, temporary checkpoint storage). Each
 * carries its owner's pid, so a process that was SIGKILLed — and never ran its cleanup —
 * has its leftovers removed at the next start of the same job on this machine.
 */

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OWNER_FILE = '.weir-owner';

/** A fresh directory `<tmp>/<prefix>XXXXXX` owned by this process; stale ones of the same prefix are removed first. */
export function createScratchDir(prefix: string, onRemoved?: (dir: string) => void): string {
  removeStaleScratchDirs(prefix, onRemoved);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, OWNER_FILE), String(process.pid));
  return dir;
}

/** `weir-<job>-`: one prefix per job name, file-system safe. */
export function scratchPrefix(kind: string, jobName: string): string {
  return `weir-${kind}${jobName.replace(/[^\w-]/g, '_')}-`;
}

function removeStaleScratchDirs(prefix: string, onRemoved?: (dir: string) => void): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  // exactly the prefix plus mkdtemp's six characters: another job whose name extends this one is not ours
  for (const name of names) {
    if (!name.startsWith(prefix) || name.length !== prefix.length + 6) continue;
    const dir = join(tmpdir(), name);
    let pid: number;
    try {
      pid = Number(readFileSync(join(dir, OWNER_FILE), 'utf8'));
    } catch {
      continue; // no owner file: not made by this code, or still being created
    }
    if (!Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    rmSync(dir, { recursive: true, force: true });
    onRemoved?.(dir);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
