import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Job } from '@weir/core';
import { bearerCheck } from './auth.js';
import { resolveOptions, type AdminServerOptions } from './options.js';
import { adminRoutes } from './routes.js';

/** A listening admin endpoint (from {@link adminServer}). */
export interface AdminServer {
  /** e.g. `http://127.0.0.1:9464` (the chosen port when `port` was 0). */
  readonly url: string;
  /** Stop listening and drop open connections; idempotent. */
  close(): Promise<void>;
  /** `await using admin = await adminServer(...)`: closes it. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Serve `job`'s admin endpoint: `/metrics`, `/status`, `POST /savepoint`, `POST /stop`,
 * `/healthz`, `/readyz`. It closes on `close()` or when the job is disposed; after the job
 * ends otherwise it keeps answering (the outcome in `/status`) without keeping the process alive.
 */
export async function adminServer(job: Job, options: AdminServerOptions): Promise<AdminServer> {
  const { port, host, token } = resolveOptions(options);
  const handle = adminRoutes(job, bearerCheck(token));
  const server = createServer((req, res) => {
    // a request target even URL cannot parse must not become an unhandled rejection
    handle(req, res).catch(() => (res.headersSent ? res.destroy() : res.writeHead(400, { 'Content-Length': 0 }).end()));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // once the job ended, neither the server nor its keep-alive connections hold the process
  // (unref, not close: closing idle keep-alive connections races a client reusing one, which then sees a reset)
  let ended = false;
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket) => {
    if (ended) socket.unref();
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  void job.done
    .catch(() => undefined)
    .finally(() => {
      ended = true;
      server.unref();
      for (const socket of sockets) socket.unref();
    });

  let closed: Promise<void> | undefined;
  const dispose = job[Symbol.asyncDispose];
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      if (job[Symbol.asyncDispose] === disposeWithServer) job[Symbol.asyncDispose] = dispose;
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  // Job has no disposal hook; wrapping its dispose keeps `await using job` closing the server too
  const disposeWithServer = async () => {
    try {
      await dispose.call(job);
    } finally {
      await close();
    }
  };
  job[Symbol.asyncDispose] = disposeWithServer;

  const { address, port: bound } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${bound}`;
  return { url, close, [Symbol.asyncDispose]: close };
}
