/** Arithmetic of an aligned window grid: windows of `sizeMs` starting every `slideMs` at `offsetMs`, cut into slices. */

export interface WindowGrid {
  readonly sizeMs: number;
  readonly slideMs: number;
  /** Slice length: gcd(size, slide); every window is a whole number of slices. */
  readonly sliceMs: number;
  /** Start of the slice `ts` falls into. */
  sliceStart(ts: number): number;
  /** Smallest window end >= x. */
  ceilEnd(x: number): number;
  /** Largest window end <= x. */
  floorEnd(x: number): number;
  /** End of the first window containing the slice starting at `s`. */
  firstEnd(s: number): number;
  /** End of the last window containing the slice starting at `s`. */
  lastEnd(s: number): number;
}

const mod = (a: number, m: number): number => ((a % m) + m) % m;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export function windowGrid(sizeMs: number, slideMs: number, offsetMs: number): WindowGrid {
  for (const [name, v] of [['size', sizeMs], ['slide', slideMs]] as const) {
    if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`window ${name} must be a positive integer number of ms, got ${v}`);
  }
  if (!Number.isSafeInteger(offsetMs)) throw new RangeError(`window offset must be an integer number of ms, got ${offsetMs}`);
  const slice = gcd(sizeMs, slideMs);
  const endBase = offsetMs + sizeMs;
  const ceilEnd = (x: number) => x + mod(endBase - x, slideMs);
  const floorEnd = (x: number) => x - mod(x - endBase, slideMs);
  return {
    sizeMs,
    slideMs,
    sliceMs: slice,
    sliceStart: (ts) => ts - mod(ts - offsetMs, slice),
    ceilEnd,
    floorEnd,
    firstEnd: (s) => ceilEnd(s + slice),
    lastEnd: (s) => floorEnd(s + sizeMs),
  };
}
