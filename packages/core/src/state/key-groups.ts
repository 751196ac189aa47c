/**
 * Key groups (Flink's model): keyed state is partitioned into a fixed number of key groups,
 * `maxParallelism`, set once per job. A key's group is a stable hash of its (string) key; each
 * of `parallelism` instances owns one contiguous range of groups. Checkpoints record which
 * groups their keyed state covers, so instances of a rescaled job each restore exactly their
 * groups from the savepoints of the previous instances.
 */

/** Default number of key groups of a job (Flink's default for small parallelism). */
export const DEFAULT_MAX_PARALLELISM = 128;
/** Upper bound of `maxParallelism` (as in Flink: 2^15). */
export const MAX_MAX_PARALLELISM = 32_768;

/** An inclusive range of key groups `[start, end]`; empty when `end < start`. */
export interface KeyGroupRange {
  readonly start: number;
  readonly end: number;
}

/**
 * MurmurHash3 (x86, 32-bit, seed 0) of the string's UTF-16 code units, two per 32-bit block.
 * Hashing code units instead of UTF-8 bytes avoids an encode per key and is just as stable:
 * the value depends only on the string, never on the platform or Node version.
 */
export function murmur3String(s: string): number {
  let h = 0;
  const n = s.length;
  const pairs = n & ~1;
  let k: number;
  for (let i = 0; i < pairs; i += 2) {
    k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (pairs < n) {
    k = s.charCodeAt(pairs);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= n * 2;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The key group of a key (keys are strings: `keyBy` results are stringified). */
export function keyGroupOf(key: string, maxParallelism: number): number {
  return murmur3String(key) % maxParallelism;
}

/** The groups instance `subtask` of `parallelism` owns (Flink's formula: contiguous, sizes differ by at most one). */
export function keyGroupRangeFor(subtask: number, parallelism: number, maxParallelism: number): KeyGroupRange {
  checkParallelism(parallelism, maxParallelism);
  if (!(subtask >= 0 && subtask < parallelism)) throw new RangeError(`subtask ${subtask} is not in 0..${parallelism - 1}`);
  return {
    start: Math.floor((subtask * maxParallelism + parallelism - 1) / parallelism),
    end: Math.floor(((subtask + 1) * maxParallelism - 1) / parallelism),
  };
}

/** The instance of `parallelism` that owns key group `group`. */
export function subtaskForKeyGroup(group: number, parallelism: number, maxParallelism: number): number {
  return Math.floor((group * parallelism) / maxParallelism);
}

export function keyGroupRangesOverlap(a: KeyGroupRange, b: KeyGroupRange): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** Throws a clear error for a parallelism the key groups cannot be spread over. */
export function checkParallelism(parallelism: number, maxParallelism: number): void {
  if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > MAX_MAX_PARALLELISM) {
    throw new RangeError(`maxParallelism must be an integer in 1..${MAX_MAX_PARALLELISM}, got ${maxParallelism}`);
  }
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > maxParallelism) {
    throw new RangeError(`parallelism ${parallelism} must be in 1..maxParallelism (${maxParallelism}): a key group is never split between instances`);
  }
}

/** Which keys a restoring instance keeps: those whose group is in `range`. */
export interface KeyGroupScope {
  readonly maxParallelism: number;
  readonly range: KeyGroupRange;
}

/** A predicate over keys for a scope (undefined scope: every key). */
export function keyFilterFor(scope: KeyGroupScope | undefined): ((key: string) => boolean) | undefined {
  if (scope === undefined) return undefined;
  const { maxParallelism, range } = scope;
  const { start, end } = range;
  if (start === 0 && end === maxParallelism - 1) return undefined;
  return (key) => {
    const g = murmur3String(key) % maxParallelism;
    return g >= start && g <= end;
  };
}
