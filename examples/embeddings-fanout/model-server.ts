/**
 * A local embedding "model" behind a real HTTP server: `POST /embed` with `{ "texts": [...] }`
 * answers `{ "vectors": [[...], ...] }`, one deterministic vector per text (from SHA-256, so the
 * example can check every output vector). It misbehaves on purpose, on a fixed schedule, so the
 * pipeline's retries and timeouts are exercised: every `failEvery`-th request answers 503 and every
 * `slowEvery`-th answers only after `slowMs`.
 */

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const DIMENSIONS = 8;

/** The model: 8 components in [-1, 1], 4 decimals, a pure function of the text. */
export function embed(text: string): number[] {
  const digest = createHash('sha256').update(text).digest();
  return Array.from({ length: DIMENSIONS }, (_, i) => Math.round((digest.readUInt16BE(i * 2) / 65_535) * 2e4 - 1e4) / 1e4);
}

export interface ModelServerOptions {
  /** Every n-th request answers 503 (0: never). */
  failEvery?: number;
  /** Every n-th request is answered after `slowMs` (0: never). */
  slowEvery?: number;
  slowMs?: number;
}

export interface ModelServer {
  url: string;
  /** Requests received, texts embedded, requests failed or delayed on purpose, largest batch. */
  stats: { requests: number; texts: number; failed: number; delayed: number; largestBatch: number };
  close(): Promise<void>;
}

export async function startModelServer(options: ModelServerOptions = {}): Promise<ModelServer> {
  const stats = { requests: 0, texts: 0, failed: 0, delayed: 0, largestBatch: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST' || req.url !== '/embed') {
      res.writeHead(404).end();
      return;
    }
    const n = ++stats.requests;
    let body = '';
    for await (const chunk of req) body += String(chunk);
    if (options.failEvery && n % options.failEvery === 0) {
      stats.failed++;
      res.writeHead(503, { 'content-type': 'text/plain' }).end('model overloaded');
      return;
    }
    const parsed = JSON.parse(body) as { texts?: unknown };
    if (!Array.isArray(parsed.texts) || !parsed.texts.every((t) => typeof t === 'string')) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('expected {"texts": string[]}');
      return;
    }
    const texts = parsed.texts as string[];
    stats.texts += texts.length;
    stats.largestBatch = Math.max(stats.largestBatch, texts.length);
    const answer = JSON.stringify({ vectors: texts.map(embed) });
    const send = () => {
      if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    };
    if (options.slowEvery && n % options.slowEvery === 0) {
      stats.delayed++;
      const t = setTimeout(() => {
        timers.delete(t);
        send();
      }, options.slowMs ?? 2_000);
      timers.add(t);
    } else send();
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The client side: one POST per batch of texts; a non-200 answer is an error (so it is retried). */
export async function embedBatch(url: string, texts: string[]): Promise<number[][]> {
  const res = await fetch(`${url}/embed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ texts }) });
  if (res.status !== 200) throw new Error(`model server answered ${res.status}: ${await res.text()}`);
  const { vectors } = (await res.json()) as { vectors: number[][] };
  if (vectors.length !== texts.length) throw new Error(`model server returned ${vectors.length} vectors for ${texts.length} texts`);
  return vectors;
}
