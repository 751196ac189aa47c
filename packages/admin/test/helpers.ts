import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline, WatermarkStrategies, generatorSource, heapStateBackend, memorySink, silentLogger, type Job, type PipelineOptions, type Sink } from '@weir/core';
import { afterEach } from 'vitest';
import { adminServer, type AdminServer, type AdminServerOptions } from '../src/index.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** A fresh temp directory removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-admin-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Poll until `cond` holds; fail after `ms`. */
export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** An unbounded job (event time on one split) into `sink`; cancelled after the test unless it ended. */
export async function startJob(sink: Sink<number> = memorySink<number>(), extra: Partial<PipelineOptions> = {}, dir?: string): Promise<Job> {
  const p = new Pipeline({ name: 'admin', checkpoints: { dir: dir ?? (await tempDir()), intervalMs: 100 }, stateBackend: heapStateBackend(), logger: silentLogger, ...extra });
  p.source('numbers', generatorSource({ splits: 1, ratePerSecond: 2_000, generate: (_s, o) => o }), {
    watermarks: WatermarkStrategies.forMonotonousTimestamps<number>((n) => n),
  }).sink('out', sink);
  const job = p.start();
  cleanups.push(() => job.stop({ mode: 'cancel' }));
  return job;
}

/** The admin server of `job` on a free loopback port; closed after the test. */
export async function serve(job: Job, options: Partial<AdminServerOptions> = {}): Promise<AdminServer> {
  const admin = await adminServer(job, { port: 0, ...options });
  cleanups.push(() => admin.close());
  return admin;
}

/** A sink whose writer opens only when the test calls `release()`. */
export function heldSink(): { sink: Sink<number>; opening: () => boolean; release: () => void } {
  let release!: () => void;
  let opening = false;
  const released = new Promise<void>((r) => (release = r));
  const sink: Sink<number> = {
    createWriter: async () => {
      opening = true;
      await released;
      return { write: () => undefined, prepareCommit: async () => [], close: async () => undefined };
    },
    createCommitter: async () => ({ commit: async () => undefined }),
  };
  return { sink, opening: () => opening, release };
}

export async function stateOf(url: string, token?: string): Promise<string> {
  const res = await fetch(`${url}/status`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  return ((await res.json()) as { state: string }).state;
}
