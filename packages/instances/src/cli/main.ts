/**
 * weir-instances: run a program as N Weir instances and rescale them while they run.
 *
 *   weir-instances --instances 3 --checkpoints 'ckpt/instance-{i}' --job orders -- node dist/job.js
 *
 * Prints one JSON line per event on stdout (started, rescaled, killed, restarted, suspended,
 * instance-exited, error); instances' output goes to stderr prefixed with `[i] `. Control:
 * `GET /status`, `POST /rescale?instances=M`, `POST /kill?instance=I`, `POST /restart?instance=I`,
 * `POST /suspend`, `POST /drain` (end the job for good; the CLI exits) on the printed `control` URL. SIGTERM or SIGINT suspends every instance and
 * exits 0 (1 when the suspend failed). With `--job`, a start restores the newest complete
 * savepoint set found in the locations (`findSavepointSet`), so stopping and starting again
 * with another count rescales.
 */

import { parseArgs } from 'node:util';
import { findSavepointSet, type CheckpointStorage } from '@weir/core';
import { controlServer } from '../control-server.js';
import { InstanceSet } from '../instance-set.js';

const USAGE = `usage: weir-instances --instances N --checkpoints <location with {i}> [--job NAME] [--max-parallelism 128]
                      [--restore-from path0,path1,...] [--port 0] [--host 127.0.0.1] [--suspend-timeout-ms 60000] -- <command> [args...]`;

const emit = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);

function fail(message: string): never {
  emit({ event: 'error', message });
  process.exit(2);
}

const dash = process.argv.indexOf('--', 2);
if (dash < 0 || dash === process.argv.length - 1) fail(`no program given after --\n${USAGE}`);
const command = process.argv.slice(dash + 1);
let flags: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    args: process.argv.slice(2, dash),
    options: {
      instances: { type: 'string' },
      checkpoints: { type: 'string' },
      job: { type: 'string' },
      'max-parallelism': { type: 'string', default: '128' },
      'restore-from': { type: 'string' },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'suspend-timeout-ms': { type: 'string', default: '60000' },
    },
    strict: true,
  }).values;
}
try {
  flags = parse();
} catch (err) {
  fail(`${(err as Error).message}\n${USAGE}`);
}
const intFlag = (name: string, v: string | undefined, min: number): number => {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}, got ${JSON.stringify(v)}\n${USAGE}`);
  return n;
};
const n = intFlag('instances', flags.instances, 1);
const maxParallelism = intFlag('max-parallelism', flags['max-parallelism'], 1);
if (flags.checkpoints === undefined) fail(`--checkpoints is required\n${USAGE}`);
if (flags.job !== undefined && flags['restore-from'] !== undefined) fail('give --job (find the newest savepoint set) or --restore-from (this set), not both');

let set: InstanceSet;
try {
  set = new InstanceSet({
    command,
    checkpoints: flags.checkpoints,
    suspendTimeoutMs: intFlag('suspend-timeout-ms', flags['suspend-timeout-ms'], 1),
    onLine: (i, line) => process.stderr.write(`[${i}] ${line}\n`),
    // a crash: reported, not restarted (POST /restart?instance=I does)
    onExit: (instance, exit, lastLines) => emit({ event: 'instance-exited', instance, exit, lastLines: lastLines.slice(-5) }),
  });
} catch (err) {
  fail((err as Error).message);
}

let restoreFrom: string[] = flags['restore-from']?.split(',') ?? [];
let found: string | undefined;
if (flags.job !== undefined) {
  try {
    const storages: CheckpointStorage[] = await Promise.all(Array.from({ length: maxParallelism }, (_, i) => set.storageOf(i)));
    const search = await findSavepointSet({ jobName: flags.job, storageOf: (i) => storages[i]!, locations: maxParallelism, parallelism: n });
    if (search.restoreFrom !== 'latest') restoreFrom = search.restoreFrom;
    found = search.explanation;
  } catch (err) {
    fail((err as Error).message);
  }
}

set.start(n, restoreFrom);
let ending = false;
const control = await controlServer(set, {
  port: intFlag('port', flags.port, 0),
  host: flags.host,
  onChange: (event) => emit(event),
  onSuspended: () => void end(0),
  onDrained: () => void end(0),
});
emit({ event: 'started', instances: n, restoreFrom, ...(found ? { found } : {}), control: control.url });

async function end(code: number): Promise<void> {
  ending = true;
  await control.close();
  process.exit(code);
}

async function suspendAndExit(): Promise<void> {
  if (ending) return;
  ending = true;
  try {
    const savepoints = set.parallelism > 0 ? await set.suspendAll() : [];
    emit({ event: 'suspended', savepoints });
    await end(0);
  } catch (err) {
    emit({ event: 'error', message: (err as Error).message });
    await set.killAll();
    await end(1);
  }
}
process.on('SIGTERM', () => void suspendAndExit());
process.on('SIGINT', () => void suspendAndExit());
