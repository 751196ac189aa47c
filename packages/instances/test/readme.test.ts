// The README's examples, run: the API driver (rescale.ts) and the CLI with its control endpoint,
// both on the README's job.ts; the job's committed output is judged by an oracle (every record
// of every split exactly once, no gap) across rescales, a SIGKILL and a restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { access, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { localCheckpointStorage } from '@weir/core';
import { afterAll, describe, expect, it } from 'vitest';
import { checkExactlyOnce, cliFlags, nodeTs, readme, repoRoot, workDir } from './readme-programs.js';

const BIN = join(repoRoot, 'packages', 'instances', 'bin', 'weir-instances.js');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('README', () => {
  it('the API example: 2 instances, rescaled to 3, one killed and restarted, suspended, 2 restored, drained; every record once', async () => {
    const dir = await workDir('api');
    dirs.push(dir);
    const [cmd, ...args] = nodeTs('rescale.ts');
    const child = spawn(cmd!, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, err.slice(-3000)).toBe(0);
    const { from2, from3, drained } = JSON.parse(out.trim().split('\n').pop()!) as { from2: string[]; from3: string[]; drained: string[] };
    expect(from2).toHaveLength(2);
    expect(from3).toHaveLength(3);
    from3.forEach((p, i) => expect(p).toMatch(new RegExp(`ckpt/instance-${i}/savepoints/sp-\\d+$`)));
    for (const p of [...from2, ...from3]) await access(join(dir, p, '_metadata.json'));
    expect(drained).toHaveLength(2);
    for (const [i, p] of drained.entries()) {
      const cp = await localCheckpointStorage(join(dir, 'ckpt')).load(resolve(dir, p));
      expect(cp.metadata, p).toMatchObject({ drained: true, subtask: i, parallelism: 2 });
    }
    expect(await checkExactlyOnce(dir, drained)).toBeGreaterThan(100);
  }, 120_000);

  it('the CLI: start 2, POST /rescale?instances=3, SIGTERM suspends; started again with 1 it finds the set of 3; POST /drain ends it', async () => {
    const dir = await workDir('cli');
    dirs.push(dir);
    const flags = cliFlags(await readme());
    expect(flags).toEqual(['--instances', '2', '--checkpoints', 'ckpt/instance-{i}', '--job', 'counter']);

    const first = cli(dir, flags);
    const started = await first.next('started');
    expect(started).toMatchObject({ instances: 2, restoreFrom: [] });
    expect(started.found).toMatch(/fresh start/);
    const control = started.control as string;
    await runningFor(control, 1000);
    const rescaled = await fetch(`${control}/rescale?instances=3`, { method: 'POST' });
    const body = (await rescaled.json()) as { from: number; to: number; savepoints: string[] };
    expect(rescaled.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ from: 2, to: 3 });
    expect(body.savepoints).toHaveLength(2);
    const status = (await (await fetch(`${control}/status`)).json()) as { parallelism: number; restoreFrom: string[]; instances: Array<{ state: string; pid: number }> };
    expect(status.parallelism).toBe(3);
    expect(status.restoreFrom).toEqual(body.savepoints);
    expect(status.instances).toHaveLength(3);
    // bad requests are refused, not acted on
    expect((await fetch(`${control}/rescale?instances=zero`, { method: 'POST' })).status).toBe(400);
    expect((await fetch(`${control}/nothing`)).status).toBe(404);
    await runningFor(control, 500);
    // a kill and restart through the endpoint are no crash; a SIGKILL from outside is reported
    expect((await fetch(`${control}/kill?instance=1`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${control}/restart?instance=1`, { method: 'POST' })).status).toBe(200);
    process.kill(status.instances[2]!.pid, 'SIGKILL');
    const crashed = await first.next('instance-exited');
    expect(crashed).toMatchObject({ instance: 2, exit: { signal: 'SIGKILL' } });
    expect((await fetch(`${control}/restart?instance=2`, { method: 'POST' })).status).toBe(200);
    await runningFor(control, 1000);
    expect(first.events().filter((e) => e.event === 'instance-exited')).toHaveLength(1);
    first.child.kill('SIGTERM');
    const suspended = await first.next('suspended');
    expect(suspended.savepoints).toHaveLength(3);
    expect(await first.exit).toBe(0);

    // a new start with another count: the CLI finds the newest complete set (of 3) in the locations
    const second = cli(dir, flags.map((f, i) => (flags[i - 1] === '--instances' ? '1' : f)));
    const again = await second.next('started');
    expect(again.restoreFrom).toEqual(suspended.savepoints);
    expect(again.found).toMatch(/savepoint set of 3 instances .* rescaled to 1/);
    await runningFor(again.control as string, 1000);
    // POST /drain ends the job for good: a drained final checkpoint, and the CLI exits
    const drain = await fetch(`${again.control as string}/drain`, { method: 'POST' });
    const drainBody = (await drain.json()) as { checkpoints: string[] };
    expect(drain.status, JSON.stringify(drainBody)).toBe(200);
    expect(drainBody.checkpoints).toHaveLength(1);
    expect(await second.next('drained')).toMatchObject({ checkpoints: drainBody.checkpoints });
    expect(await second.exit).toBe(0);
    expect(await checkExactlyOnce(dir, drainBody.checkpoints)).toBeGreaterThan(100);
  }, 120_000);
});

function cli(cwd: string, flags: string[]) {
  const child: ChildProcess = spawn(process.execPath, ['--conditions=weir-source', BIN, ...flags, '--', ...nodeTs('job.ts')], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Array<Record<string, unknown>> = [];
  let buf = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      events.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
      buf = buf.slice(nl + 1);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const next = async (event: string): Promise<Record<string, unknown>> => {
    for (let end = Date.now() + 60_000; Date.now() < end; await sleep(50)) {
      const e = events.find((x) => x.event === event || x.event === 'error');
      if (e?.event === 'error') throw new Error(`weir-instances: ${String(e.message)}\n${err}`);
      if (e !== undefined) return e;
    }
    throw new Error(`no ${event} event within 60 s; events: ${JSON.stringify(events)}\n${err}`);
  };
  return { child, next, exit, events: () => [...events] };
}

/** Once every instance reports ready on GET /status, let them run `ms`. */
async function runningFor(control: string, ms: number): Promise<void> {
  for (let end = Date.now() + 60_000; ; await sleep(100)) {
    const status = (await (await fetch(`${control}/status`)).json()) as { instances: Array<{ state: string }> };
    if (status.instances.length > 0 && status.instances.every((i) => i.state === 'ready')) break;
    if (Date.now() > end) throw new Error(`instances not ready within 60 s: ${JSON.stringify(status)}`);
  }
  await sleep(ms);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
