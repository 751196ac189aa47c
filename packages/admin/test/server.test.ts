import { OptionsError } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { adminServer } from '../src/index.js';
import { serve, startJob, until } from './helpers.js';

const TOKEN = 's3cret-token';

describe('bearer token', () => {
  it('every route but the probes needs it; a missing or wrong one gets a bare 401', async () => {
    const job = await startJob();
    const admin = await serve(job, { token: TOKEN });
    await until('running', () => job.status().state === 'running');
    const guarded: [string, string][] = [['GET', '/metrics'], ['GET', '/status'], ['POST', '/savepoint'], ['POST', '/stop?mode=cancel'], ['GET', '/unknown']];
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN]) {
      for (const [method, path] of guarded) {
        const res = await fetch(`${admin.url}${path}`, { method, headers: authorization === undefined ? {} : { authorization } });
        expect(res.status, `${method} ${path} with ${authorization}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
        expect(await res.text()).toBe('');
      }
    }
    expect(job.status().state).toBe('running');

    for (const path of ['/healthz', '/readyz']) expect((await fetch(`${admin.url}${path}`)).status).toBe(200);
    const ok = await fetch(`${admin.url}/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { state: string }).state).toBe('running');
  });
});

describe('the server', () => {
  it('listens on loopback by default and closes on close()', async () => {
    const job = await startJob();
    const admin = await adminServer(job, { port: 0 });
    expect(admin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${admin.url}/healthz`)).status).toBe(200);
    await admin.close();
    await admin.close(); // idempotent
    await expect(fetch(`${admin.url}/healthz`)).rejects.toThrow();
  });

  it('closes when the job is disposed', async () => {
    const job = await startJob();
    const admin = await serve(job);
    await until('running', () => job.status().state === 'running');
    await job[Symbol.asyncDispose]();
    expect(job.status().state).toBe('suspended');
    await expect(fetch(`${admin.url}/healthz`)).rejects.toThrow();
  });

  it('rejects bad options with an OptionsError naming each problem', async () => {
    const job = await startJob();
    const bad = adminServer(job, { port: 70_000, host: '', tokn: 'x' } as never);
    await expect(bad).rejects.toThrow(OptionsError);
    await expect(bad).rejects.toThrow(/port: must be <= 65535.*\n.*host: expected a host name or address.*\n.*unknown key 'tokn' \(did you mean 'token'\?\)/s);
  });
});
