/**
 * The admin routes of one job. Probes answer without a token (kubelets send none); every
 * other path, known or not, is checked first so an unauthenticated caller learns nothing.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Job, JobState, StopMode } from '@weir/core';

/** prom-client's text exposition format (Job does not expose its registry's header). */
const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const STOP_MODES: readonly StopMode[] = ['suspend', 'drain', 'cancel'];

type Route = (job: Job, url: URL, res: ServerResponse) => Promise<void>;

const routes: Record<string, { method: 'GET' | 'POST'; probe?: true; handle: Route }> = {
  '/healthz': { method: 'GET', probe: true, handle: async (job, _url, res) => stateProbe(res, job.status().state, (s) => s !== 'failed') },
  '/readyz': { method: 'GET', probe: true, handle: async (job, _url, res) => stateProbe(res, job.status().state, (s) => s === 'running') },
  '/metrics': { method: 'GET', handle: async (job, _url, res) => send(res, 200, PROMETHEUS_CONTENT_TYPE, await job.prometheus()) },
  '/status': { method: 'GET', handle: async (job, _url, res) => json(res, 200, job.status()) },
  '/savepoint': { method: 'POST', handle: savepoint },
  '/stop': { method: 'POST', handle: stop },
};

/** The request handler of the admin server for `job`. */
export function adminRoutes(job: Job, authorized: (req: IncomingMessage) => boolean) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    req.resume(); // no route reads a body; drain it so the connection can be reused
    const url = new URL(req.url ?? '/', 'http://admin');
    const route = routes[url.pathname];
    if (route?.probe !== true && !authorized(req)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer', 'Content-Length': 0 }).end();
      return;
    }
    if (route === undefined) return json(res, 404, { error: `no route ${url.pathname}`, routes: Object.keys(routes) });
    if (req.method !== route.method) {
      res.setHeader('Allow', route.method);
      return json(res, 405, { error: `${url.pathname} takes ${route.method}` });
    }
    try {
      await route.handle(job, url, res);
    } catch (err) {
      json(res, 500, { error: String(err) });
    }
  };
}

function stateProbe(res: ServerResponse, state: JobState, ok: (s: JobState) => boolean): void {
  send(res, ok(state) ? 200 : 503, 'text/plain; charset=utf-8', `${state}\n`);
}

async function savepoint(job: Job, _url: URL, res: ServerResponse): Promise<void> {
  const state = job.status().state;
  // a savepoint needs open sources and sinks; outside 'running' it would wait or return nothing
  if (state !== 'running') return json(res, 409, { error: `no savepoint: the job is ${state}` });
  const sp = await job.savepoint();
  if (sp === undefined) return json(res, 409, { error: `no savepoint: the job is ${job.status().state}` });
  json(res, 200, { id: sp.metadata.id, path: sp.path });
}

async function stop(job: Job, url: URL, res: ServerResponse): Promise<void> {
  const mode = url.searchParams.get('mode') ?? 'suspend';
  if (!(STOP_MODES as readonly string[]).includes(mode)) return json(res, 400, { error: `unknown mode '${mode}'`, allowed: STOP_MODES });
  // the outcome shows in /status; a suspend can take up to the stop grace period
  void job.stop({ mode: mode as StopMode }).catch(() => undefined);
  json(res, 202, { mode, state: job.status().state });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' }).end(body);
}
