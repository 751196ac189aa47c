import net from 'node:net';
import type { Cluster } from '../cluster/cluster.js';
import { Connection } from './connection.js';

/** One broker: a TCP server on its own port. Restarting keeps the port it first got. */
export class BrokerServer {
  private server: net.Server | null = null;
  private readonly connections = new Set<Connection>();
  private listening = false;

  constructor(readonly cluster: Cluster, readonly id: number, readonly host: string, public port: number) {}

  /** Whether the broker accepts connections. */
  get alive(): boolean {
    return this.listening;
  }

  /** `host:port` as clients should dial it. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.listening) return;
    const server = net.createServer((socket) => {
      const conn = new Connection(socket, this);
      this.connections.add(conn);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.host, port: this.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
    this.listening = true;
  }

  /** Stops listening and destroys every open connection. */
  async stop(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = null;
    this.listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const conn of [...this.connections]) conn.close();
    await closed;
  }

  /** Called by a connection when it closes. */
  forget(conn: Connection): void {
    this.connections.delete(conn);
  }
}
