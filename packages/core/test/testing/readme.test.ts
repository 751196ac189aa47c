// The README's Testing example runs as written (its asserts are the test).
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { readmeExample } from '../../../../test/packaging/consumer.js';

it('the README Testing example runs', async () => {
  // written next to the tests so '@weir/core' resolves like the package's own imports; removed afterwards
  const file = join(import.meta.dirname, `.readme-testing-${process.pid}.ts`);
  writeFileSync(file, `${await readmeExample('packages/core/README.md', 'Testing')}\nexport {};\n`);
  try {
    await expect(import(pathToFileURL(file).href)).resolves.toBeDefined();
  } finally {
    rmSync(file, { force: true });
  }
});
