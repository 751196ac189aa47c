import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { memorySink, type JobStatusSnapshot } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { serve, startJob, stateOf, until } from './helpers.js';

describe('admin routes over HTTP', () => {
  it('GET /metrics answers Prometheus text with its content type', async () => {
    const job = await startJob();
    const admin = await serve(job);
    await until('records flowed', () => (job.status().steps[0]?.recordsIn ?? 0) > 0);
    const res = await fetch(`${admin.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('weir_step_records_in_total');
    // every line is a comment or `name{labels} value`
    for (const line of text.split('\n').filter((l) => l !== '')) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|[a-zA-Z_:][\w:]*(\{.*\})? [-+\w.]+)$/);
  });

  it('GET /status answers the status snapshot: steps, splits with watermarks, checkpoints, restore, restarts, state', async () => {
    const job = await startJob();
    const admin = await serve(job);
    await until('a checkpoint and a watermark', () => job.status().checkpoints.completed > 0 && job.status().splits[0]?.watermark != null);
    const res = await fetch(`${admin.url}/status`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const status = (await res.json()) as JobStatusSnapshot;
    expect(status.state).toBe('running');
    expect(status.steps.map((s) => s.step)).toEqual(expect.arrayContaining(['numbers', 'out']));
    expect(status.splits[0]).toMatchObject({ step: 'numbers', split: expect.any(String), pendingRecords: expect.any(Number), watermark: expect.any(Number) });
    expect(status.checkpoints.lastCompleted?.ok).toBe(true);
    expect(status.restoredFrom).toBeNull();
    expect(status.restarts).toBe(0);
  });

  it('POST /savepoint takes a savepoint and answers its id and path', async () => {
    const job = await startJob();
    const admin = await serve(job);
    await until('running', () => job.status().state === 'running');
    const res = await fetch(`${admin.url}/savepoint`, { method: 'POST' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: number; path: string };
    expect(body.id).toBeGreaterThan(0);
    expect(existsSync(body.path)).toBe(true);
    expect(job.status().state).toBe('running');
  });

  it('POST /savepoint while the job is not running is 409', async () => {
    const job = await startJob();
    const admin = await serve(job);
    await job.stop({ mode: 'cancel' });
    const res = await fetch(`${admin.url}/savepoint`, { method: 'POST' });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: 'no savepoint: the job is cancelled' });
  });

  it('POST /stop?mode=suspend answers 202 at once; the job suspends with a savepoint a restart restores', async () => {
    const job = await startJob();
    const admin = await serve(job);
    await until('running', () => job.status().state === 'running');
    const res = await fetch(`${admin.url}/stop?mode=suspend`, { method: 'POST' });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ mode: 'suspend' });
    await until('suspended in /status', async () => (await stateOf(admin.url)) === 'suspended');
    const result = await job.done;
    expect(result.outcome).toBe('suspended');
    expect(result.savepoint).toBeDefined();
  });

  it('POST /stop?mode=drain drains the job', async () => {
    const out = memorySink<number>();
    const job = await startJob(out);
    const admin = await serve(job);
    await until('records committed', () => out.committed.length > 0);
    expect((await fetch(`${admin.url}/stop?mode=drain`, { method: 'POST' })).status).toBe(202);
    await until('drained in /status', async () => (await stateOf(admin.url)) === 'drained');
    const result = await job.done;
    expect(result.outcome).toBe('drained');
    expect(result.lastCheckpoint?.metadata.drained).toBe(true);
  });

  it('POST /stop with an unknown mode is 400 with the allowed values, and the job runs on', async () => {
    const job = await startJob();
    const admin = await serve(job);
    const res = await fetch(`${admin.url}/stop?mode=pause`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "unknown mode 'pause'", allowed: ['suspend', 'drain', 'cancel'] });
    await until('running', () => job.status().state === 'running');
  });

  it('unknown routes are 404, wrong methods 405 with Allow', async () => {
    const job = await startJob();
    const admin = await serve(job);
    expect((await fetch(`${admin.url}/nope`)).status).toBe(404);
    const get = await fetch(`${admin.url}/stop`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const post = await fetch(`${admin.url}/status`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });
});

describe('hostile requests', () => {
  it('a request target that is no URL gets a 400 and the server answers on', async () => {
    const job = await startJob();
    const admin = await serve(job);
    const { hostname, port } = new URL(admin.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.end('GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      let data = '';
      socket.on('data', (d) => (data += d));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect((await fetch(`${admin.url}/healthz`)).status).toBe(200);
  });
});
