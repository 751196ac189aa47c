/** Temp directories removed after each test. */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

export const tempDirs = {
  async make(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'weir-operators-'));
    dirs.push(dir);
    return dir;
  },
};
