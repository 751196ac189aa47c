// The README's usage example, run as written in a child process (plain node with the tsx loader),
// driven over HTTP the way an operator would: ready, status, then a stop that ends the process.
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir, until } from './helpers.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const TOKEN = 'readme-token';

async function usageExample(): Promise<string> {
  const readme = await readFile(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const code = readme.split('\n## Usage\n')[1]?.match(/```ts\n([\s\S]*?)```/)?.[1];
  if (code === undefined) throw new Error('README.md has no ts example under ## Usage');
  return code;
}

describe('README usage example', () => {
  it('serves the job, and a POST /stop?mode=suspend ends the process with the outcome', async () => {
    // inside the repository so '@weir/admin' and '@weir/core' resolve; tmp/ is ignored by git
    const file = join(repoRoot, 'tmp', `admin-readme-${process.pid}.ts`);
    await mkdir(join(repoRoot, 'tmp'), { recursive: true });
    await writeFile(file, await usageExample());
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = spawn(process.execPath, ['--conditions=weir-source', '--import', tsx, file], {
      cwd: await tempDir(), // the example writes ./checkpoints
      env: { ...process.env, WEIR_ADMIN_PORT: '0', WEIR_ADMIN_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await until('the admin url', () => /admin endpoint on (\S+)/.test(out), 30_000);
      const url = /admin endpoint on (\S+)/.exec(out)![1]!;
      const auth = { authorization: `Bearer ${TOKEN}` };
      await until('ready', async () => (await fetch(`${url}/readyz`)).status === 200);
      expect((await fetch(`${url}/status`)).status).toBe(401);
      const status = (await (await fetch(`${url}/status`, { headers: auth })).json()) as { state: string; splits: unknown[] };
      expect(status.state).toBe('running');
      expect(status.splits).toHaveLength(2);
      expect((await fetch(`${url}/stop?mode=suspend`, { method: 'POST', headers: auth })).status).toBe(202);
      // the server does not hold the process once the job ended
      await until('the process exited', () => child.exitCode !== null, 30_000);
      expect(await exited, err).toBe(0);
      expect(out.trim().split('\n').at(-1)).toBe('suspended');
    } finally {
      child.kill();
      await rm(file, { force: true });
    }
  });
});
