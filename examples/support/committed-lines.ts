/** The records a JSON-lines file sink committed to `dir` (hidden in-progress files skipped). */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function committedJsonLines<T>(dir: string): T[] {
  const files = readdirSync(dir).filter((n) => !n.startsWith('.'));
  return files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T));
}
