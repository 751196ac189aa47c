/**
 * Frames for the broker fuzz test, built from the protocol's own request schemas: valid-shaped
 * requests of every API and version (sample values from the schema), then mutated — bytes flipped,
 * bodies truncated or extended, header key/version replaced, size prefixes corrupted — plus raw
 * garbage. Deterministic for a seed.
 */
import { encodeRequest } from '../../src/protocol/index.js';
import { loadApiPairs, structSample, versionsOf, type ApiPair } from '../protocol/schema-samples.js';

export type FrameKind = 'valid' | 'flip' | 'truncate' | 'extend' | 'header' | 'size' | 'garbage';

export interface FuzzFrame {
  kind: FrameKind;
  apiKey: number;
  /** Size prefix and body agree: the broker can find the next frame after this one. */
  framed: boolean;
  bytes: Buffer;
}

/** mulberry32: a small seeded PRNG, so a failing seed can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values that reach past validation: existing topics, groups and ids, plus boundary numbers. */
const WORDS = ['fz', 'fz', 'fz-new', 'g', 'tx', 'PLAIN', 'SCRAM-SHA-256', 'User:*', '*', '', 'consumer', 'range'];
const NUMBERS = [0, 0, 1, -1, 2, 3, 1000, -2, 2147483647, -2147483648, 65535];

const KINDS: FrameKind[] = ['valid', 'valid', 'flip', 'flip', 'truncate', 'extend', 'header', 'size', 'garbage'];

export class FrameFuzzer {
  private readonly rand: () => number;
  private readonly pairs: ApiPair[];
  private corr = 0;

  /** `skipApiKeys`: APIs left out of valid-shaped frames (e.g. SASL on a listener that does not need it). */
  constructor(seed: number, skipApiKeys: readonly number[] = []) {
    this.rand = prng(seed);
    this.pairs = loadApiPairs().filter((p) => !skipApiKeys.includes(p.apiKey));
  }

  private int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  private randomBytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }

  /** A request of a random API/version with schema sample values (encoding may reject some samples). */
  private valid(): { apiKey: number; bytes: Buffer } {
    for (;;) {
      const p = this.pairs[this.int(this.pairs.length)]!;
      const versions = versionsOf(p.request);
      const v = versions[this.int(versions.length)]!;
      const sample = structSample(p.request.root, v, this.int(1000), this.rand() < 0.5 ? 'full' : 'nulls');
      const body = this.steer(sample.input) as object;
      try {
        return { apiKey: p.apiKey, bytes: encodeRequest(p.apiKey, v, this.corr++ & 0x7fffffff, this.rand() < 0.5 ? 'fuzz' : null, body) };
      } catch {
        // a sample the encoder refuses (e.g. a value out of range for that version): draw again
      }
    }
  }

  /** Replaces most sample strings and some numbers with WORDS / NUMBERS so requests reach the handlers' logic. */
  private steer(value: unknown): unknown {
    if (typeof value === 'string') return this.rand() < 0.8 ? WORDS[this.int(WORDS.length)] : value;
    if (typeof value === 'number') return this.rand() < 0.4 ? NUMBERS[this.int(NUMBERS.length)] : value;
    if (Array.isArray(value)) return value.map((x) => this.steer(x));
    if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
      return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, this.steer(x)]));
    }
    return value;
  }

  next(): FuzzFrame {
    const kind = KINDS[this.int(KINDS.length)]!;
    if (kind === 'garbage') {
      const body = this.randomBytes(this.int(64));
      const bytes = Buffer.concat([Buffer.alloc(4), body]);
      bytes.writeInt32BE(body.length, 0);
      return { kind, apiKey: -1, framed: true, bytes };
    }
    const { apiKey, bytes } = this.valid();
    const resize = (b: Buffer): Buffer => {
      b.writeInt32BE(b.length - 4, 0);
      return b;
    };
    switch (kind) {
      case 'flip': {
        const out = Buffer.from(bytes);
        for (let i = 1 + this.int(8); i > 0; i--) out[4 + this.int(out.length - 4)] ^= 1 << this.int(8);
        return { kind, apiKey, framed: true, bytes: out };
      }
      case 'truncate':
        return { kind, apiKey, framed: true, bytes: resize(Buffer.from(bytes.subarray(0, 4 + this.int(bytes.length - 4)))) };
      case 'extend':
        return { kind, apiKey, framed: true, bytes: resize(Buffer.concat([bytes, this.randomBytes(1 + this.int(32))])) };
      case 'header': {
        const out = Buffer.from(bytes);
        if (this.rand() < 0.5) out.writeInt16BE(this.int(65536) - 32768, 4);
        else out.writeInt16BE(this.int(65536) - 32768, 6);
        return { kind, apiKey, framed: true, bytes: out };
      }
      case 'size': {
        const out = Buffer.from(bytes);
        out.writeInt32BE(this.int(2 ** 32) - 2 ** 31, 0);
        return { kind, apiKey, framed: false, bytes: out };
      }
      default:
        return { kind, apiKey, framed: true, bytes };
    }
  }
}
