import { RestartStrategies, type Sink } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { heldSink, serve, startJob, until } from './helpers.js';

const probe = async (url: string) => {
  const res = await fetch(url);
  return `${res.status} ${(await res.text()).trim()}`;
};

describe('liveness and readiness probes', () => {
  it('/readyz is 503 while a sink is still opening, 200 while running, 503 after a stop; /healthz stays 200', async () => {
    const held = heldSink();
    const job = await startJob(held.sink);
    const admin = await serve(job);
    await until('the sink is opening', held.opening);
    expect(await probe(`${admin.url}/readyz`)).toBe('503 starting');
    expect(await probe(`${admin.url}/healthz`)).toBe('200 starting');

    held.release();
    await until('ready', async () => (await probe(`${admin.url}/readyz`)) === '200 running');
    expect(await probe(`${admin.url}/healthz`)).toBe('200 running');

    expect((await fetch(`${admin.url}/stop?mode=suspend`, { method: 'POST' })).status).toBe(202);
    await until('suspended', async () => (await probe(`${admin.url}/readyz`)) === '503 suspended');
    expect(await probe(`${admin.url}/healthz`)).toBe('200 suspended');
  });

  it('/healthz is 503 once the job failed', async () => {
    const failing: Sink<number> = {
      createWriter: async () => {
        throw new Error('ECONNREFUSED 127.0.0.1:1');
      },
      createCommitter: async () => ({ commit: async () => undefined }),
    };
    const job = await startJob(failing, { restart: RestartStrategies.none() });
    const admin = await serve(job);
    await expect(job.done).rejects.toThrow('ECONNREFUSED');
    expect(await probe(`${admin.url}/healthz`)).toBe('503 failed');
    expect(await probe(`${admin.url}/readyz`)).toBe('503 failed');
  });
});
