// The core README is the contract of @weir/core: every name in its API report must appear there,
// so an export cannot slip in without being documented (the report itself is checked by `npm run api:check`).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { repoRoot } from './consumer.js';

test.each(['core', 'core-testing'])('the core README names every export of the %s API report', async (name) => {
  const report = await readFile(join(repoRoot, `packages/core/api/${name}.api.md`), 'utf8');
  const readme = await readFile(join(repoRoot, 'packages/core/README.md'), 'utf8');
  const exported = [...report.matchAll(/^export (?:declare )?(?:abstract )?(?:class|interface|type|function|const|enum|namespace) (\w+)/gm)].map((m) => m[1]!);
  expect(exported.length).toBeGreaterThan(0);
  expect(exported.filter((name) => !new RegExp(`\\b${name}\\b`).test(readme))).toEqual([]);
});
