/**
 * Durable, ordered local spill for one cluster (classic-level). Chunks of messages are stored
 * under sequence keys; `append` adds after the newest, `prepend` before the oldest (messages
 * that were in flight when the cluster failed are older than anything spilled since). Writes are
 * applied in call order; `sync` makes everything written so far durable (one fsync'd write).
 */

import { mkdir } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';
import type { OutMessage } from './cluster-producer.js';

const START = 2 ** 40;
const CHUNK = 'c:';
const CHUNK_END = 'c;';

interface EncodedMessage {
  t: string;
  p?: number;
  k: string | null;
  v: string | null;
  vb?: 1;
  h?: Record<string, string[]>;
  ts?: number;
}

export class Spill {
  /** Records in the spill. */
  depth = 0;
  private head = START;
  private tail = START;
  private chain: Promise<void> = Promise.resolve();
  private error: unknown;
  private dirty = false;

  private constructor(private readonly db: ClassicLevel<string, string>) {}

  static async open(dir: string): Promise<Spill> {
    await mkdir(dir, { recursive: true });
    const db = new ClassicLevel<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    await db.open();
    const spill = new Spill(db);
    let first: number | undefined;
    let last: number | undefined;
    for await (const [key, value] of db.iterator({ gte: CHUNK, lt: CHUNK_END })) {
      const seq = parseInt(key.slice(CHUNK.length), 16);
      first ??= seq;
      last = seq;
      spill.depth += Number(value.slice(0, value.indexOf('\n')));
    }
    if (first !== undefined && last !== undefined) {
      spill.head = first;
      spill.tail = last + 1;
    }
    return spill;
  }

  get empty(): boolean {
    return this.depth === 0;
  }

  append(messages: OutMessage[]): void {
    this.put(this.tail++, messages);
  }

  prepend(messages: OutMessage[]): void {
    this.put(--this.head, messages);
  }

  /** The oldest chunks, up to about `maxRecords` records. */
  async readOldest(maxRecords: number): Promise<Array<{ key: string; messages: OutMessage[] }>> {
    await this.settled();
    const out: Array<{ key: string; messages: OutMessage[] }> = [];
    let n = 0;
    for await (const [key, value] of this.db.iterator({ gte: CHUNK, lt: CHUNK_END })) {
      const messages = decode(value.slice(value.indexOf('\n') + 1));
      out.push({ key, messages });
      n += messages.length;
      if (n >= maxRecords) break;
    }
    return out;
  }

  /** Delete delivered chunks. */
  remove(chunks: Array<{ key: string; messages: OutMessage[] }>): void {
    for (const c of chunks) this.depth -= c.messages.length;
    if (chunks.length > 0 && this.depth === 0) this.head = this.tail = START;
    this.enqueue(() => this.db.batch(chunks.map((c) => ({ type: 'del' as const, key: c.key }))));
  }

  /** Wait for every write so far; make them durable. */
  async sync(): Promise<void> {
    await this.settled();
    if (!this.dirty) return;
    this.dirty = false;
    await this.db.put('s:sync', String(Date.now()), { sync: true });
  }

  async close(): Promise<void> {
    await this.chain;
    await this.db.close();
  }

  private put(seq: number, messages: OutMessage[]): void {
    this.depth += messages.length;
    const key = CHUNK + seq.toString(16).padStart(14, '0');
    const value = `${messages.length}\n${encode(messages)}`;
    this.enqueue(() => this.db.put(key, value));
  }

  private enqueue(op: () => Promise<void>): void {
    this.dirty = true;
    this.chain = this.chain.then(op).catch((err) => {
      this.error ??= err;
    });
  }

  private async settled(): Promise<void> {
    await this.chain;
    if (this.error !== undefined) throw this.error;
  }
}

function encode(messages: OutMessage[]): string {
  const out: EncodedMessage[] = new Array(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const e: EncodedMessage = { t: m.topic, k: m.key === null ? null : m.key.toString('base64'), v: null };
    if (m.value !== null) {
      if (typeof m.value === 'string') e.v = m.value;
      else {
        e.v = m.value.toString('base64');
        e.vb = 1;
      }
    }
    if (m.partition !== undefined) e.p = m.partition;
    if (m.timestamp !== undefined) e.ts = m.timestamp;
    if (m.headers !== undefined) {
      const h: Record<string, string[]> = {};
      for (const [name, v] of Object.entries(m.headers)) h[name] = (Array.isArray(v) ? v : [v]).map((x) => Buffer.from(x).toString('base64'));
      e.h = h;
    }
    out[i] = e;
  }
  return JSON.stringify(out);
}

function decode(text: string): OutMessage[] {
  const list = JSON.parse(text) as EncodedMessage[];
  return list.map((e) => {
    const m: OutMessage = {
      topic: e.t,
      key: e.k === null ? null : Buffer.from(e.k, 'base64'),
      value: e.v === null ? null : e.vb === 1 ? Buffer.from(e.v, 'base64') : e.v,
    };
    if (e.p !== undefined) m.partition = e.p;
    if (e.ts !== undefined) m.timestamp = e.ts;
    if (e.h !== undefined) {
      const headers: Record<string, Buffer[]> = {};
      for (const [name, vs] of Object.entries(e.h)) headers[name] = vs.map((x) => Buffer.from(x, 'base64'));
      m.headers = headers;
    }
    return m;
  });
}
