import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ErrorCodes, decodeRequestHeader, decodeRequest, encodeResponse } from '../protocol/index.js';
import { usesSasl } from '../security/listeners.js';
import { authorizeRequest } from './api-authorization.js';
import type { ConnectionState, RequestContext, ApiHandler } from './context.js';
import { ResponseQueue } from './response-queue.js';
import { handlerFor, apiVersionsTable } from './registry.js';
import type { BrokerListener, BrokerServer } from './server.js';

const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
/** Kafka's sasl.server.max.receive.size: the frame limit until a SASL client has authenticated. */
const MAX_UNAUTHENTICATED_FRAME = 524288;

/**
 * One client connection: splits the byte stream into size-prefixed frames, decodes and dispatches
 * them one at a time (a fault-injected delay holds back the following requests too), and writes
 * responses in request order through a ResponseQueue.
 */
export class Connection {
  readonly state: ConnectionState;
  private readonly abort = new AbortController();
  private readonly queue: ResponseQueue;
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  private needBytes = 4;
  private readonly inbox: Buffer[] = [];
  private inboxHead = 0;
  private waiting = false;
  private closed = false;
  /** After the last response: no more input is processed. */
  private ending = false;
  private readonly saslRequired: boolean;

  constructor(private readonly socket: Socket, private readonly broker: BrokerServer, listener: BrokerListener) {
    this.saslRequired = usesSasl(listener.protocol);
    this.state = {
      remote: `${socket.remoteAddress}:${socket.remotePort}`,
      listener,
      clientId: null,
      saslMechanism: null,
      sasl: null,
      rawSaslNext: false,
      authenticated: false,
      closeAfterResponse: false,
      principal: certificatePrincipal(socket) ?? 'User:ANONYMOUS',
      signal: this.abort.signal,
    };
    socket.setNoDelay(true);
    this.queue = new ResponseQueue((frames) => this.writeFrames(frames));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.flowControl());
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  /** Destroys the socket and aborts waiting handlers. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.socket.destroy();
    this.broker.forget(this);
  }

  /** Largest frame accepted now: Kafka's socket.request.max.bytes, or the SASL limit before authentication. */
  private get maxFrame(): number {
    const limit = this.broker.cluster.config.limits.maxRequestBytes;
    return this.saslRequired && !this.state.authenticated ? Math.min(limit, MAX_UNAUTHENTICATED_FRAME) : limit;
  }

  /**
   * Half-closes once what is written has been sent (the client still reads the last response);
   * nothing more is read or written. `close` (socket closed, broker stopped) finishes the job.
   */
  private endAfterWrites(): void {
    if (this.ending || this.closed) return;
    this.ending = true;
    this.abort.abort();
    this.socket.end();
    this.socket.setTimeout(5000, () => this.close());
  }

  private onData(chunk: Buffer): void {
    if (this.closed || this.ending) return;
    this.chunks.push(chunk);
    this.chunkBytes += chunk.length;
    if (this.chunkBytes < this.needBytes) return; // a large frame still arriving: do not re-concat every chunk
    const buf = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.chunkBytes);
    let off = 0;
    while (buf.length - off >= 4) {
      const size = buf.readInt32BE(off);
      // Checked on the 4-byte size alone, so an oversized frame is refused before any of it is kept.
      if (size <= 0 || size > this.maxFrame) return this.refuse(`frame of ${size} bytes (limit ${this.maxFrame})`);
      if (buf.length - off - 4 < size) break;
      this.inbox.push(buf.subarray(off + 4, off + 4 + size));
      off += 4 + size;
    }
    const rest = buf.subarray(off);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.chunkBytes = rest.length;
    this.needBytes = rest.length >= 4 ? 4 + rest.readInt32BE(0) : 4;
    this.drain();
    this.flowControl();
  }

  private refuse(why: string): void {
    this.broker.cluster.log('warn', `broker ${this.broker.id}: closing ${this.state.remote}: ${why}`);
    this.close();
  }

  /**
   * Stops reading while the socket cannot take more output or too many requests are queued or
   * unanswered (Kafka mutes a channel the same way), so a pipelining client cannot grow memory.
   */
  private flowControl(): void {
    if (this.closed) return;
    const backlog = this.inbox.length - this.inboxHead + this.queue.pending;
    if (this.socket.writableNeedDrain || backlog >= this.broker.cluster.config.limits.maxInFlightRequestsPerConnection) this.socket.pause();
    else this.socket.resume();
  }

  private drain(): void {
    while (!this.waiting && !this.closed && !this.ending && this.inboxHead < this.inbox.length) {
      const frame = this.inbox[this.inboxHead++]!;
      if (this.inboxHead === this.inbox.length) {
        this.inbox.length = 0;
        this.inboxHead = 0;
      }
      let wait: Promise<void> | null = null;
      try {
        wait = this.dispatch(frame);
      } catch (err) {
        this.broker.cluster.log('warn', `broker ${this.broker.id}: closing ${this.state.remote}: ${(err as Error).message}`);
        this.close();
        return;
      }
      if (wait) {
        this.waiting = true;
        wait.then(() => {
          this.waiting = false;
          this.drain();
          this.flowControl();
        }, () => this.close());
      }
    }
  }

  /** Handles one frame; returns a promise when following requests must wait (injected delay/hang). */
  private dispatch(frame: Buffer): Promise<void> | null {
    if (this.state.rawSaslNext) return this.rawSaslToken(frame);
    const header = decodeRequestHeader(frame);
    const { apiKey, apiVersion, correlationId } = header;
    this.state.clientId = header.clientId ?? null;
    const handler = handlerFor(apiKey);
    if (!handler || apiVersion > handler.maxVersion || apiVersion < handler.minVersion) {
      if (apiKey !== API_VERSIONS) throw new Error(`unsupported api ${apiKey} v${apiVersion}`);
      // Answer in the v0 layout with the table so the client retries with a version we speak.
      const slot = this.queue.reserve();
      this.queue.complete(slot, encodeResponse(API_VERSIONS, 0, correlationId, { errorCode: ErrorCodes.UNSUPPORTED_VERSION, apiKeys: apiVersionsTable(), throttleTimeMs: 0 }));
      return null;
    }
    const cluster = this.broker.cluster;
    // Kafka's SaslServerAuthenticator closes a connection that sends anything else first.
    if (this.saslRequired && !this.state.authenticated && apiKey !== API_VERSIONS && apiKey !== SASL_HANDSHAKE && apiKey !== SASL_AUTHENTICATE) {
      throw new Error(`api ${apiKey} before SASL authentication`);
    }
    const req = decodeRequest(apiKey, apiVersion, frame, header.headerLength);
    const ctx: RequestContext = { cluster, broker: this.broker, connection: this.state, apiKey, apiVersion, correlationId };
    const slot = this.queue.reserve();
    const fault = cluster.faults.match(apiKey, this.broker.id);
    const run = (): void => this.run(handler, ctx, req, slot, fault?.kind === 'fail' ? fault : null);
    if (fault && (fault.kind === 'hang' || fault.kind === 'latency')) {
      return fault.wait(this.state.signal).then(() => {
        if (!this.closed) run();
      });
    }
    run();
    return null;
  }

  private run(handler: ApiHandler, ctx: RequestContext, req: any, slot: ReturnType<ResponseQueue['reserve']>, fail: { errorCode?: number; afterHandling: boolean } | null): void {
    const respond = (body: any): void => {
      if (this.closed || this.ending) return;
      if (fail) {
        if (fail.errorCode === undefined || !handler.errorBody) return this.close();
        body = handler.errorBody(req, fail.errorCode, ctx.apiVersion);
      }
      this.queue.complete(slot, body === null ? null : encodeResponse(ctx.apiKey, ctx.apiVersion, ctx.correlationId, body));
      if (this.state.closeAfterResponse) return this.endAfterWrites();
      this.flowControl(); // an unanswered acks=0 produce writes nothing, yet frees a slot
    };
    if (fail && !fail.afterHandling) return respond(null);
    const verdict = authorizeRequest(ctx, req);
    if (verdict !== 0) {
      if (typeof verdict !== 'number') return respond(verdict.body);
      if (!handler.errorBody) return this.close();
      return respond(handler.errorBody(req, verdict, ctx.apiVersion));
    }
    const result = handler.handle(ctx, req);
    if (result instanceof Promise) {
      result.then(respond, (err: Error) => {
        this.broker.cluster.log('error', `api ${ctx.apiKey} v${ctx.apiVersion} failed: ${err.stack ?? err.message}`);
        this.close();
      });
    } else {
      respond(result);
    }
  }

  /** SaslHandshake v0: tokens travel as bare size-prefixed frames; a failure closes the connection. */
  private rawSaslToken(frame: Buffer): null {
    const step = this.state.sasl?.step(frame) ?? { kind: 'fail' as const, message: 'no SASL exchange' };
    if (step.kind === 'fail') throw new Error(`SASL authentication failed: ${step.message}`);
    if (step.kind === 'done') {
      this.state.rawSaslNext = false;
      this.state.sasl = null;
      this.state.authenticated = true;
      this.state.principal = `User:${step.user}`;
    }
    const reply = Buffer.alloc(4 + step.reply.length);
    reply.writeInt32BE(step.reply.length, 0);
    step.reply.copy(reply, 4);
    this.queue.complete(this.queue.reserve(), reply);
    return null;
  }

  private writeFrames(frames: Buffer[]): void {
    if (this.closed || this.socket.writableEnded) return;
    // Offsets and transaction state must be on disk before a client can see the acknowledgement.
    this.broker.cluster.flushDurableState();
    if (frames.length === 1) {
      this.socket.write(frames[0]!);
    } else {
      this.socket.cork();
      for (const f of frames) this.socket.write(f);
      this.socket.uncork();
    }
    this.flowControl();
  }
}

/** `User:<subject>` for a TLS client with a certificate the CA vouches for (Kafka's default principal builder). */
function certificatePrincipal(socket: Socket): string | null {
  const tls = socket as TLSSocket;
  if (typeof tls.getPeerCertificate !== 'function' || !tls.authorized) return null;
  const subject = tls.getPeerCertificate().subject as Record<string, string> | undefined;
  if (!subject) return null;
  // X.500 names in RFC 2253 order: most specific first, the reverse of the certificate's order.
  return `User:${Object.entries(subject).reverse().map(([k, v]) => `${k}=${v}`).join(',')}`;
}
