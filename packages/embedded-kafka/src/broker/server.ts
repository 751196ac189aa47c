import net from 'node:net';
import tls from 'node:tls';
import type { Cluster } from '../cluster/cluster.js';
import { usesTls, type ResolvedListener } from '../security/listeners.js';
import { Connection } from './connection.js';

/** One listening socket of a broker; keeps the port it first got across restarts. */
export interface BrokerListener {
  readonly name: string;
  readonly protocol: ResolvedListener['protocol'];
  readonly host: string;
  port: number;
}

/** One broker: one server per listener. Restarting keeps the ports. */
export class BrokerServer {
  readonly listeners: BrokerListener[];
  private servers: net.Server[] = [];
  private readonly connections = new Set<Connection>();
  private listening = false;

  constructor(readonly cluster: Cluster, readonly id: number, readonly host: string, listeners: readonly ResolvedListener[]) {
    this.listeners = listeners.map((l) => ({ name: l.name, protocol: l.protocol, host, port: l.port }));
  }

  /** Whether the broker accepts connections. */
  get alive(): boolean {
    return this.listening;
  }

  /** Port of the first listener (the one `bootstrapServers` lists). */
  get port(): number {
    return this.listeners[0]!.port;
  }

  /** `host:port` of the first listener, as clients should dial it. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** The listener with this name (Metadata answers with the endpoints of the request's listener). */
  listener(name: string): BrokerListener | undefined {
    return this.listeners.find((l) => l.name === name);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async start(): Promise<void> {
    if (this.listening) return;
    try {
      for (const l of this.listeners) this.servers.push(await this.listen(l));
    } catch (err) {
      await this.closeServers();
      throw err;
    }
    this.listening = true;
  }

  /** Stops listening and destroys every open connection. */
  async stop(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    await this.closeServers();
  }

  /** Called by a connection when it closes. */
  forget(conn: Connection): void {
    this.connections.delete(conn);
  }

  private async listen(l: BrokerListener): Promise<net.Server> {
    const accept = (socket: net.Socket): void => {
      // A connection flood is refused socket by socket instead of growing without bound.
      if (this.connections.size >= this.cluster.config.limits.maxConnectionsPerBroker) {
        socket.destroy();
        return;
      }
      this.connections.add(new Connection(socket, this, l));
    };
    const tlsOptions = this.cluster.config.tls;
    let server: net.Server;
    if (usesTls(l.protocol)) {
      if (!tlsOptions) throw new Error(`listener ${l.name} of broker ${this.id} needs TLS certificates (tls option)`);
      server = tls.createServer({ ...tlsOptions, handshakeTimeout: 10_000 }, accept);
      // A failed handshake (plaintext client, bad certificate) only closes that socket.
      server.on('tlsClientError', (err, socket) => {
        this.cluster.log('debug', `broker ${this.id}: TLS handshake failed: ${err.message}`);
        socket.destroy();
      });
    } else {
      server = net.createServer(accept);
    }
    server.maxConnections = this.cluster.config.limits.maxConnectionsPerBroker;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.host, port: l.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    l.port = (server.address() as net.AddressInfo).port;
    return server;
  }

  private async closeServers(): Promise<void> {
    const servers = this.servers;
    this.servers = [];
    const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const conn of [...this.connections]) conn.close();
    await Promise.all(closed);
  }
}
