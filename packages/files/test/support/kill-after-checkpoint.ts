// Crash-test plumbing shared by the files crash tests: run a job in a child process and SIGKILL it
// a random while after it completed a checkpoint of its own (so every attempt makes progress,
// however slowly the machine starts processes).
import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Highest completed checkpoint id in a local checkpoint directory (0 when none). */
export async function latestCheckpoint(dir: string): Promise<number> {
  let best = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const id = Number(/^chk-(\d+)$/.exec(name)?.[1] ?? 0);
    if (id > best && (await stat(join(dir, name, '_metadata.json')).then(() => true, () => false))) best = id;
  }
  return best;
}

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

export interface RunChildOptions {
  /** SIGKILL the child this long after its first checkpoint of this run; omitted: let it finish. */
  killAfterMs?: number;
  env?: NodeJS.ProcessEnv;
  /** How to read the newest completed checkpoint (default: a local directory). */
  latest?: (checkpointDir: string) => Promise<number>;
}

/** Runs `job` (a .ts file, through tsx) with `args`. */
export function runChild(job: string, args: string[], checkpointDir: string, options: RunChildOptions = {}): Promise<ChildRun> {
  const latest = options.latest ?? latestCheckpoint;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=weir-source', '--import', 'tsx', job, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
    let stderr = '';
    let exited = false;
    child.stdout.resume();
    child.stderr.on('data', (d) => (stderr += d));
    const killAfterMs = options.killAfterMs;
    if (killAfterMs !== undefined) {
      void (async () => {
        const start = await latest(checkpointDir);
        while (!exited && (await latest(checkpointDir)) <= start) await new Promise((r) => setTimeout(r, 25));
        if (!exited) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      })();
    }
    child.on('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal, stderr });
    });
  });
}
