import net from 'node:net';
import { decodeResponse, encodeRequest } from '../../src/protocol/index.js';

/** A minimal wire client for broker tests: sends encoded requests and collects response frames. */
export class RawClient {
  private buf = Buffer.alloc(0);
  private readonly frames: Buffer[] = [];
  private waiters: Array<() => void> = [];
  private corr = 0;
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readInt32BE(0)) {
        const size = this.buf.readInt32BE(0);
        this.frames.push(this.buf.subarray(4, 4 + size));
        this.buf = this.buf.subarray(4 + size);
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(address: string): Promise<RawClient> {
    const [host, port] = address.split(':');
    return new Promise((resolve, reject) => {
      const s = net.connect({ host, port: Number(port) }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /** Sends a request; returns its correlation id. */
  send(apiKey: number, apiVersion: number, body: object): number {
    const id = this.corr++;
    this.socket.write(encodeRequest(apiKey, apiVersion, id, 'raw-test', body));
    return id;
  }

  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Next response frame (without size prefix), or null when the connection closed. */
  async nextFrame(timeoutMs = 5000): Promise<Buffer | null> {
    const end = Date.now() + timeoutMs;
    while (this.frames.length === 0 && !this.closed) {
      if (Date.now() > end) throw new Error('no response');
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, end - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.frames.shift() ?? null;
  }

  /** Sends and decodes the response. */
  async call(apiKey: number, apiVersion: number, body: object): Promise<any> {
    const id = this.send(apiKey, apiVersion, body);
    const frame = await this.nextFrame();
    if (!frame) throw new Error('connection closed');
    const res = decodeResponse(apiKey, apiVersion, frame);
    if (res.correlationId !== id) throw new Error(`correlation ${res.correlationId} != ${id}`);
    return res.body;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
