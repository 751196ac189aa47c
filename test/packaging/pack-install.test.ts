/**
 * The published form of the packages: `npm pack` every package (prepack builds it), install the
 * tarballs into a fresh project outside the monorepo, compile the README examples there with
 * `tsc` (strict, typings checked) and run the output with plain `node` (no loader, no conditions).
 */

import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { entryPoints, packAll, readmeExample, registryReachable, run, writeConsumer } from './consumer.js';

const reachable = await registryReachable();
if (!reachable) console.warn('pack-and-install test skipped: the npm registry is unreachable, so the tarballs\' third-party dependencies cannot install');

// Runs in the consumer: every entry point loads, and the internals stay out of core's runtime exports.
function loadAll(specifiers: string[]): string {
  return `${specifiers.map((s, i) => `import * as m${i} from '${s}';`).join('\n')}
const modules: Record<string, object> = { ${specifiers.map((s, i) => `'${s}': m${i}`).join(', ')} };
for (const [name, m] of Object.entries(modules)) if (Object.keys(m).length === 0) throw new Error(name + ' exports nothing');
const internals = ['Job', 'Stream', 'KeyedStream', 'SplitWatermarks', 'InputWatermarks', 'WatermarkAlignment', 'AlignmentGroups', 'StepMetrics'];
const leaked = internals.filter((n) => n in modules['@weir/core']!);
if (leaked.length > 0) throw new Error('@weir/core exports internals: ' + leaked.join(', '));
console.log('loaded', Object.keys(modules).join(' '));
`;
}

describe.skipIf(!reachable)('packed packages in an outside project', () => {
  let dir = '';
  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  test('install from the tarballs, type-check and run the README examples', { timeout: 240_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'weir-pack-'));
    const tarballs = await packAll(await mkdirIn(dir, 'tarballs'));

    for (const [name, tgz] of tarballs) {
      const entries = execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' }).split('\n');
      for (const f of ['package/LICENSE', 'package/README.md', 'package/dist/index.js', 'package/dist/index.d.ts']) expect(entries, `${name} ships ${f}`).toContain(f);
      expect(entries.filter((f) => /\/test\/|tsbuildinfo/.test(f)), `${name} ships no tests or build state`).toEqual([]);
    }

    const project = await mkdirIn(dir, 'consumer');
    const specifiers = await entryPoints();
    await writeConsumer(project, tarballs, {
      'first-pipeline.ts': await readmeExample('README.md', 'A first pipeline'),
      'core-first-pipeline.ts': await readmeExample('packages/core/README.md', 'A first pipeline'),
      'core-testing.ts': `${await readmeExample('packages/core/README.md', 'Testing')}\nconsole.log('testing example passed');\n`,
      'kafka-source.ts': await readmeExample('packages/kafka/README.md', 'Source'),
      // compiled against the packed typings only: it serves until stopped (packages/admin/test/readme.test.ts runs it)
      'admin-usage.ts': await readmeExample('packages/admin/README.md', 'Usage'),
      'all-packages.ts': loadAll(specifiers),
    });
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], project);
    await run(join(project, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], project);

    // each example in its own working directory: they write ./checkpoints and their output there
    const node = async (example: string) => run(process.execPath, [join(project, 'out', `${example}.js`)], await mkdirIn(project, `run-${example}`));
    expect(await node('all-packages')).toContain(`loaded ${specifiers.join(' ')}`);
    expect(await node('first-pipeline')).toContain('finished');
    expect(await node('core-first-pipeline')).toContain('finished');
    expect(await node('core-testing')).toContain('testing example passed');
    const kafka = await node('kafka-source');
    expect(kafka).toContain('hello from orders-eu');
    expect(kafka).toContain('hello from orders');
  });
});

async function mkdirIn(parent: string, name: string): Promise<string> {
  const path = join(parent, name);
  await mkdir(path, { recursive: true });
  return path;
}
