/** "Did you mean" suggestions for misspelt option keys and values. */

/** Levenshtein distance, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length]!;
}

/**
 * The closest candidate: within a third of its length (at least 2 edits), or contained in the
 * misspelt word (`reloadIntervalMs` -> `intervalMs`, `attempts` -> `maxAttempts`).
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    const lw = word.toLowerCase();
    const lc = c.toLowerCase();
    const near = d <= Math.max(2, Math.floor(c.length / 3)) || (Math.min(lw.length, lc.length) >= 4 && (lw.includes(lc) || lc.includes(lw)));
    if (near && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean 'x'?)` or nothing. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` (did you mean '${c}'?)`;
}
