// InstanceSet's errors, with real child processes: each names the instance, how it ended and
// what it printed last. (The happy path, rescales and a SIGKILL run in readme.test.ts.)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OptionsError } from '@weir/core';
import { InstanceSet, InstanceSetError, instanceEnv, instanceReady } from '../src/index.js';
import { nodeTs } from './readme-programs.js';

const fixture = (name: string) => nodeTs(join(import.meta.dirname, 'fixtures', `${name}.ts`));
const sets: InstanceSet[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of sets.splice(0)) await s.killAll();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function setOf(name: string, extra: Partial<ConstructorParameters<typeof InstanceSet>[0]> = {}): Promise<InstanceSet> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-instances-'));
  dirs.push(dir);
  const set = new InstanceSet({ command: fixture(name), checkpoints: join(dir, 'instance-{i}'), ...extra });
  sets.push(set);
  return set;
}

describe('InstanceSet errors', () => {
  it('an instance that exits without a savepoint: named, with its exit code and last output', async () => {
    const set = await setOf('no-savepoint');
    set.start(2);
    const err = await set.suspendAll().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InstanceSetError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/instance 0 ended without a savepoint \(its storage holds no checkpoint\): instance 0 \(pid \d+\) exited with code 3/);
    expect(msg).toMatch(/instance 1 ended without a savepoint/);
    expect(msg).toContain('cannot reach the sink: giving up without a savepoint');
    expect(set.parallelism).toBe(0);
  }, 60_000);

  it('an instance that does not exit after SIGTERM: killed after the timeout and named', async () => {
    const set = await setOf('ignores-sigterm', { suspendTimeoutMs: 1500 });
    set.start(1);
    const err = await set.suspendAll().catch((e: unknown) => e);
    expect(String(err)).toMatch(/instance 0 did not exit within 1500 ms of SIGTERM and was killed: instance 0 \(pid \d+\) killed by SIGKILL; its last output:\s+SIGTERM received, still busy/);
  }, 60_000);

  it('a drain of instances that declared no drain signal is refused before any is signalled; they run on', async () => {
    const set = await setOf('ignores-sigterm');
    set.start(2);
    const err = await set.drainAll().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InstanceSetError);
    expect(String(err)).toContain("instances 0, 1 did not declare a drain signal: the program must call stopOnSignals(job, { mode: 'drain', signals: ['SIGUSR2'] }) and instanceReady({ drainSignal: 'SIGUSR2' })");
    expect(set.status().map((s) => s.state)).toEqual(['ready', 'ready']);
    expect(set.status().flatMap((s) => s.lastLines)).toEqual([]); // no SIGTERM (nor anything else) reached them
  }, 60_000);

  it('instanceReady refuses a drain signal that suspends or cannot be handled', () => {
    expect(() => instanceReady({ drainSignal: 'SIGTERM' })).toThrow('drainSignal SIGTERM cannot be the drain signal');
    expect(() => instanceReady({ drainSignal: 'SIGKILL' })).toThrow('use e.g. SIGUSR2');
  });

  it('an instance that never says it is ready: the suspend is abandoned and says why', async () => {
    const set = await setOf('never-ready', { readyTimeoutMs: 2500 });
    set.start(1);
    const err = await set.suspendAll().catch((e: unknown) => e);
    expect(String(err)).toMatch(/not ready after 2500 ms \(does the program call instanceReady\(\).*starting slowly/s);
    expect(set.status()).toEqual([]);
  }, 60_000);

  it('onExit reports a crash, not an exit the set caused', async () => {
    const exits: Array<{ instance: number; signal: string | null; last: string[] }> = [];
    const set = await setOf('ignores-sigterm', { onExit: (instance, exit, last) => exits.push({ instance, signal: exit.signal, last }) });
    set.start(2);
    await set.waitReady();
    process.kill(set.status()[1]!.pid!, 'SIGKILL'); // from outside: a crash
    await set.kill(0); // by the set: expected
    for (let end = Date.now() + 10_000; exits.length === 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    expect(exits).toEqual([{ instance: 1, signal: 'SIGKILL', last: [] }]);
    expect(set.status().map((s) => s.state)).toEqual(['exited', 'exited']);
  }, 60_000);

  it('a command that cannot start: named as ended before the suspend', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-instances-'));
    dirs.push(dir);
    const set = new InstanceSet({ command: [join(dir, 'no-such-program')], checkpoints: join(dir, 'instance-{i}') });
    sets.push(set);
    set.start(1);
    await expect(set.suspendAll()).rejects.toThrow(/ended before the suspend: instance 0 .*could not start/s);
  }, 30_000);

  it('options and environment are checked', () => {
    expect(() => new InstanceSet({ command: ['node', 'job.js'], checkpoints: '/data/job' })).toThrow(OptionsError);
    expect(() => new InstanceSet({ command: ['node', 'job.js'], checkpoints: '/data/{i}', suspendTimoutMs: 5 } as never)).toThrow(/suspendTimeoutMs/);
    expect(instanceEnv({ WEIR_INSTANCE: '1', WEIR_INSTANCES: '3', WEIR_CHECKPOINTS: 'c/1', WEIR_RESTORE_FROM: 'a,b' })).toEqual({ instance: 1, instances: 3, checkpoints: 'c/1', restoreFrom: ['a', 'b'] });
    expect(instanceEnv({ WEIR_INSTANCE: '0', WEIR_INSTANCES: '1', WEIR_CHECKPOINTS: 'c/0', WEIR_RESTORE_FROM: '' }).restoreFrom).toBeUndefined();
    expect(() => instanceEnv({ WEIR_INSTANCE: '3', WEIR_INSTANCES: '3', WEIR_CHECKPOINTS: 'c' })).toThrow(/WEIR_INSTANCE must be below WEIR_INSTANCES/);
    expect(() => instanceEnv({})).toThrow(/expects WEIR_INSTANCE, WEIR_INSTANCES, WEIR_CHECKPOINTS/);
  });
});
