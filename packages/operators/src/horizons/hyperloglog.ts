/**
 * Approximate distinct counts (HyperLogLog, 32-bit hashes) in a form that fits keyed state: a
 * sketch is either sparse (the distinct hashes, exact, while there are few) or dense (a string
 * with one character per register, '0' + rank: JSON-safe, and an add copies one short string).
 * Sketches are immutable values; `HllUnion` merges many into one estimate.
 */

/** Sparse sketches switch to dense registers above this many distinct hashes. */
const SPARSE_LIMIT = 32;

export type HllSketch = readonly number[] | string;

/** 32-bit hash of a value: FNV-1a over the string form, then murmur3's finaliser for avalanche. */
export function hashValue(value: string | number): number {
  const s = typeof value === 'number' ? String(value) : value;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const ZERO = 48; // '0'

function registerOf(hash: number, precision: number): [index: number, rank: number] {
  return [hash >>> (32 - precision), Math.min(Math.clz32((hash << precision) | 0) + 1, 32 - precision + 1)];
}

/** A sketch with `hash` added (a new value; the argument is not changed). */
export function hllAdd(sketch: HllSketch | undefined, hash: number, precision: number): HllSketch {
  if (sketch === undefined) return [hash];
  if (typeof sketch === 'string') {
    const [i, rank] = registerOf(hash, precision);
    return rank + ZERO > sketch.charCodeAt(i) ? sketch.slice(0, i) + String.fromCharCode(rank + ZERO) + sketch.slice(i + 1) : sketch;
  }
  if (sketch.includes(hash)) return sketch;
  if (sketch.length < SPARSE_LIMIT) return [...sketch, hash];
  const union = new HllUnion(precision);
  union.add(sketch);
  union.addHash(hash);
  return union.toSketch();
}

/** Merges sketches and estimates their union; mutable scratch, never stored. */
export class HllUnion {
  private readonly m: number;
  private registers: Uint8Array | undefined;
  private readonly exact = new Set<number>();

  constructor(private readonly precision: number) {
    if (!Number.isInteger(precision) || precision < 4 || precision > 16) throw new RangeError(`HyperLogLog precision must be 4..16, got ${precision}`);
    this.m = 1 << precision;
  }

  add(sketch: HllSketch | undefined): void {
    if (sketch === undefined) return;
    if (typeof sketch !== 'string') {
      for (const h of sketch) this.addHash(h);
      return;
    }
    const regs = this.dense();
    for (let i = 0; i < this.m; i++) {
      const r = sketch.charCodeAt(i) - ZERO;
      if (r > regs[i]!) regs[i] = r;
    }
  }

  addHash(hash: number): void {
    if (this.registers === undefined) {
      this.exact.add(hash);
      if (this.exact.size <= SPARSE_LIMIT) return;
      this.dense();
      return;
    }
    const [idx, rank] = registerOf(hash, this.precision);
    if (rank > this.registers[idx]!) this.registers[idx] = rank;
  }

  estimate(): number {
    if (this.registers === undefined) return this.exact.size;
    const m = this.m;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < m; i++) {
      const r = this.registers[i]!;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / m);
    const raw = (alpha * m * m) / sum;
    if (raw <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros)); // linear counting
    const two32 = 2 ** 32;
    return Math.round(raw > two32 / 30 ? -two32 * Math.log(1 - raw / two32) : raw);
  }

  toSketch(): HllSketch {
    if (this.registers === undefined) return [...this.exact];
    return String.fromCharCode(...Array.from(this.registers, (r) => r + ZERO));
  }

  private dense(): Uint8Array {
    if (this.registers === undefined) {
      this.registers = new Uint8Array(this.m);
      const pending = [...this.exact];
      this.exact.clear();
      for (const h of pending) this.addHash(h);
    }
    return this.registers;
  }
}
