// Each package keeps a committed copy of the root LICENSE (npm packs a package's own folder only).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { packages, repoRoot } from './consumer.js';

test('every package carries the root LICENSE unchanged', async () => {
  const license = await readFile(join(repoRoot, 'LICENSE'), 'utf8');
  for (const p of packages) expect(await readFile(join(repoRoot, 'packages', p, 'LICENSE'), 'utf8'), `packages/${p}/LICENSE`).toBe(license);
});
