import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it, vi } from 'vitest';
import { hasOpenssl } from './support/certs.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The ```ts block following `<!-- example: NAME ... -->` in the package README. */
function readmeExample(name: string): string {
  const readme = fs.readFileSync(path.join(here, '..', 'README.md'), 'utf8');
  const at = readme.indexOf(`<!-- example: ${name}`);
  const m = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  if (at < 0 || !m) throw new Error(`README has no example ${name}`);
  return m[1]!;
}

it.skipIf(!hasOpenssl)('the README security example runs as written (TLS, SCRAM, ACLs)', async () => {
  // Written next to the tests so its imports resolve like the package's own; removed afterwards.
  const file = path.join(here, `.readme-security-${process.pid}.ts`);
  fs.writeFileSync(file, `${readmeExample('security')}\nexport {};\n`);
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await import(pathToFileURL(file).href);
    expect(log).toHaveBeenCalledWith(1);
  } finally {
    log.mockRestore();
    fs.rmSync(file, { force: true });
  }
});
