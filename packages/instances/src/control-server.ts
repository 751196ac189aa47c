/**
 * A small HTTP control endpoint for an instance set (what `weir-instances` serves on
 * localhost): `GET /status`, `POST /rescale?instances=M`, `POST /kill?instance=I`,
 * `POST /restart?instance=I`, `POST /suspend`, `POST /drain`. One operation at a time: another one meanwhile
 * gets 409. Answers are JSON; a failed operation answers 500 with the error's message.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InstanceSet } from './instance-set.js';

export interface ControlServerOptions {
  /** Default 0: a free port (read it from `url`). */
  port?: number;
  /** Default `127.0.0.1`: the endpoint has no authentication, keep it off the network. */
  host?: string;
  /** Called after a `POST /suspend` suspended every instance (the CLI exits there). */
  onSuspended?: (savepoints: string[]) => void;
  /** Called after a `POST /drain` drained every instance (the CLI exits there). */
  onDrained?: (checkpoints: string[]) => void;
  /** Called when an operation changed the set (rescaled, killed, restarted), for a log. */
  onChange?: (event: Record<string, unknown>) => void;
}

export interface ControlServer {
  /** e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  close(): Promise<void>;
}

export async function controlServer(set: InstanceSet, options: ControlServerOptions = {}): Promise<ControlServer> {
  let busy: string | undefined;
  const exclusive = async (what: string, res: ServerResponse, op: () => Promise<Record<string, unknown>>) => {
    if (busy !== undefined) return reply(res, 409, { error: `busy: ${busy} is in progress` });
    busy = what;
    try {
      const result = await op();
      options.onChange?.({ event: what, ...result });
      reply(res, 200, result);
    } catch (err) {
      reply(res, err instanceof RangeError ? 400 : 500, { error: err instanceof Error ? err.message : String(err) });
    } finally {
      busy = undefined;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://control');
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /status':
        return reply(res, 200, { parallelism: set.parallelism, restoreFrom: set.restoreFrom, busy: busy ?? null, instances: set.status() });
      case 'POST /rescale': {
        const m = intParam(url, 'instances');
        if (typeof m === 'string') return reply(res, 400, { error: m });
        return exclusive('rescaled', res, async () => {
          const from = set.parallelism;
          const savepoints = await set.rescale(m);
          return { from, to: m, savepoints };
        });
      }
      case 'POST /kill':
      case 'POST /restart': {
        const i = intParam(url, 'instance');
        if (typeof i === 'string') return reply(res, 400, { error: i });
        return exclusive(url.pathname === '/kill' ? 'killed' : 'restarted', res, async () => {
          if (url.pathname === '/kill') await set.kill(i);
          else set.restart(i);
          return { instance: i };
        });
      }
      case 'POST /suspend':
        return exclusive('suspended', res, async () => {
          const savepoints = await set.suspendAll();
          setImmediate(() => options.onSuspended?.(savepoints));
          return { savepoints };
        });
      case 'POST /drain':
        return exclusive('drained', res, async () => {
          const checkpoints = await set.drainAll();
          setImmediate(() => options.onDrained?.(checkpoints));
          return { checkpoints };
        });
      default:
        return reply(res, 404, { error: `no route ${route}: GET /status, POST /rescale?instances=M, POST /kill?instance=I, POST /restart?instance=I, POST /suspend, POST /drain` });
    }
  };

  const server = createServer((req, res) => void handle(req, res).catch((err: unknown) => reply(res, 500, { error: String(err) })));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function intParam(url: URL, name: string): number | string {
  const raw = url.searchParams.get(name);
  const v = Number(raw);
  if (raw === null || raw === '' || !Number.isInteger(v) || v < 0) return `query parameter ${name} must be a non-negative integer, got ${JSON.stringify(raw)}`;
  return v;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
  res.end(data);
}
