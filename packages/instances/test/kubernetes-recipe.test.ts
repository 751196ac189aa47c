// The docs/kubernetes.md recipe with real processes: every instance finds its savepoint set
// itself (fixtures/pod.ts), nobody hands it over. 2 instances; "scale to 0" (suspend all);
// "scale to 3" (each finds the set of 2); one SIGKILLed and restarted (finds the same set, its
// own newer checkpoint wins); scale to 1; that one crashes; a start of 2 is refused with the
// fix (the run of 1 did not suspend); 1 again restores its own checkpoint and suspends. The
// committed output is judged against the final savepoint's positions: every record once.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { InstanceSet } from '../src/index.js';
import { checkExactlyOnce, nodeTs, repoRoot } from './readme-programs.js';

const dir = join(repoRoot, 'tmp', `instances-k8s-${process.pid}-${Date.now()}`);
afterAll(() => rm(dir, { recursive: true, force: true }));

it('pods find the savepoint set themselves across 2 -> 3 -> 1, a crash and a refused 1 -> 2', async () => {
  await mkdir(dir, { recursive: true });
  const lines: Array<{ instance: number; line: string }> = [];
  const set = new InstanceSet({
    command: nodeTs(join(import.meta.dirname, 'fixtures', 'pod.ts')),
    checkpoints: join(dir, 'ckpt', 'instance-{i}'),
    env: { CHECKPOINT_ROOT: join(dir, 'ckpt'), OUT: join(dir, 'out') },
    onLine: (instance, line) => lines.push({ instance, line }),
  });
  const said = (instance: number, key: string) => lines.filter((l) => l.instance === instance && l.line.startsWith('{"instance"')).map((l) => (JSON.parse(l.line) as Record<string, unknown>)[key]).filter((v) => v !== undefined);
  const run = async (ms = 1000) => {
    await set.waitReady();
    await new Promise((r) => setTimeout(r, ms));
  };
  try {
    set.start(2);
    await run();
    const setOf2 = await set.suspendAll(); // kubectl scale --replicas=0
    expect(said(0, 'found')).toEqual([expect.stringMatching(/fresh start/)]);

    lines.length = 0;
    set.start(3); // kubectl scale --replicas=3 (PARALLELISM=3): no restore set given
    await run();
    for (const i of [0, 1, 2]) expect(said(i, 'restoreFrom')).toEqual([setOf2]);
    await set.kill(1); // a crash after the rescale ...
    set.restart(1); // ... the pod finds the same set, and its own newer checkpoint wins
    await run();
    const restored1 = said(1, 'restored') as string[];
    expect(said(1, 'restoreFrom')).toEqual([setOf2, setOf2]);
    expect(restored1).toHaveLength(2);
    expect(restored1[1]).toMatch(new RegExp(`ckpt/instance-1/chk-\\d+$`));
    const setOf3 = await set.suspendAll();

    lines.length = 0;
    set.start(1);
    await run();
    expect(said(0, 'restoreFrom')).toEqual([setOf3]);
    await set.kill(0); // the run of 1 crashes: its state is only in its checkpoints

    lines.length = 0;
    await set.killAll();
    set.start(2); // refused: restarting from the set of 3 would repeat what the run of 1 committed
    await expect(set.waitReady(30_000)).rejects.toThrow(/SavepointSetError: cannot start 2 instances of 'counter'.*ran after it, with 1 instance,.*Start 1 instance again/s);
    await set.killAll();

    set.start(1); // the fix: the same count restores its own newest checkpoint
    await run();
    expect(said(0, 'restored').pop()).toMatch(/ckpt\/instance-0\/chk-\d+$/);
    const last = await set.suspendAll();
    expect(await checkExactlyOnce(dir, last)).toBeGreaterThan(100);
  } finally {
    await set.killAll();
  }
}, 180_000);
