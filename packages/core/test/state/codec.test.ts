import { describe, expect, it } from 'vitest';
import { decodeKvFile, encodeKvFile, type KvPair } from '../../src/state/kv-file.js';
import { decodeSlot, encodeSlot, slotExpiry } from '../../src/state/value-codec.js';

async function* batches(pairs: KvPair[], size: number): AsyncGenerator<KvPair[]> {
  for (let i = 0; i < pairs.length; i += size) yield pairs.slice(i, i + size);
}

async function* rechunk(chunks: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  const all: Buffer[] = [];
  for await (const c of chunks) all.push(Buffer.from(c));
  const whole = Buffer.concat(all);
  for (let i = 0; i < whole.length; i += size) yield whole.subarray(i, i + size);
}

describe('value codec', () => {
  it('round-trips values and expiry times', () => {
    const cases: unknown[] = [0, -1.5, Number.MAX_VALUE, Infinity, 'abc', 'ü', { a: [1, { b: 'c' }] }, [1, 2], new Map([['k', [1]]]), new Set(['x']), 5n, new Date(0), null, false];
    for (const value of cases) {
      for (const expiresAt of [0, 1_700_000_000_123]) {
        const bytes = encodeSlot(value, expiresAt);
        expect(decodeSlot(bytes)).toEqual({ value, expiresAt });
        expect(slotExpiry(bytes)).toBe(expiresAt);
      }
    }
  });

  it('keeps values JSON cannot represent exactly', () => {
    for (const value of [{ n: Number.NaN }, { z: -0 }, { d: new Date(3) }, [undefined], Object.assign(Object.create(null) as object, { a: 1 })]) {
      expect(decodeSlot(encodeSlot(value, 0)).value).toEqual(value);
    }
    expect(Object.is((decodeSlot(encodeSlot({ z: -0 }, 0)).value as { z: number }).z, -0)).toBe(true);
  });

  it('rejects unknown encodings', () => {
    expect(() => decodeSlot(Buffer.from([0x0e, 1]))).toThrow(/Unknown state value encoding/);
  });
});

describe('kv file', () => {
  it('round-trips pairs across arbitrary chunk boundaries and large values', async () => {
    const pairs: KvPair[] = [];
    for (let i = 0; i < 2000; i++) pairs.push([`s\0key-${i}`, encodeSlot(i % 100 === 0 ? 'x'.repeat(50_000) : i, 0)]);
    pairs.push([Buffer.from('s\0bytes'), encodeSlot(new Map([[1, 2]]), 9)]);
    pairs.push(['s\0big', encodeSlot('y'.repeat(3 << 20), 0)]);
    for (const chunk of [7, 4096, 1 << 20]) {
      const out: [string, Buffer][] = [];
      for await (const ps of decodeKvFile(rechunk(encodeKvFile(batches(pairs, 333)), chunk))) out.push(...ps);
      expect(out.length).toBe(pairs.length);
      out.forEach(([k, v], i) => {
        const [ek, ev] = pairs[i]!;
        expect(k).toBe(typeof ek === 'string' ? ek : Buffer.from(ek).toString());
        expect(Buffer.compare(v, ev)).toBe(0);
      });
    }
  });

  it('rejects foreign and truncated files', async () => {
    async function* one(b: Uint8Array): AsyncGenerator<Uint8Array> {
      yield b;
    }
    const drain = async (src: AsyncIterable<Uint8Array>): Promise<void> => {
      for await (const _ of decodeKvFile(src)) void _;
    };
    await expect(drain(one(Buffer.from('NOTWEIR!xxxx')))).rejects.toThrow(/bad magic/);
    const chunks: Uint8Array[] = [];
    for await (const c of encodeKvFile(batches([['s\0a', encodeSlot(1, 0)]], 1))) chunks.push(c);
    const whole = Buffer.concat(chunks);
    await expect(drain(one(whole.subarray(0, whole.length - 2)))).rejects.toThrow(/Truncated/);
  });
});
