// The README's usage example, run as written in a child process (plain node with the tsx loader)
// against the test's S3-compatible store; its output is read back from the store's data.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3, type TestS3 } from './s3-server.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
let s3: TestS3;
beforeAll(async () => void (s3 = await startS3()));
afterAll(() => s3.close());

async function usageExample(): Promise<string> {
  const readme = await readFile(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const code = readme.split('\n## Usage\n')[1]?.match(/```ts\n([\s\S]*?)```/)?.[1];
  if (code === undefined) throw new Error('README.md has no ts example under ## Usage');
  return code;
}

async function filesUnder(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, rel), { withFileTypes: true }).catch(() => [])) {
    const p = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...(await filesUnder(dir, p)));
    else out.push(p);
  }
  return out;
}

describe('README usage example', () => {
  it('checkpoints and writes hourly tables on the store, every record once', async () => {
    // inside the repository so the @weir packages resolve; tmp/ is ignored by git
    const file = join(repoRoot, 'tmp', `s3-readme-${process.pid}.ts`);
    await mkdir(join(repoRoot, 'tmp'), { recursive: true });
    await writeFile(file, await usageExample());
    const o = s3.options('');
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = spawn(process.execPath, ['--conditions=weir-source', '--import', tsx, file], {
      env: { ...process.env, S3_ENDPOINT: o.endpoint, S3_BUCKET: o.bucket, S3_PREFIX: s3.prefix, AWS_REGION: o.region, AWS_ACCESS_KEY_ID: o.credentials!.accessKeyId, AWS_SECRET_ACCESS_KEY: o.credentials!.secretAccessKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    await rm(file, { force: true });
    expect(code, err).toBe(0);
    expect(out).toContain(`finished s3://${o.bucket}/${s3.prefix}jobs/orders/checkpoints/chk-`);

    const copy = await mkdtemp(join(tmpdir(), 'weir-s3-readme-'));
    try {
      await s3.mirror('tables/', copy);
      const files = await filesUnder(copy);
      const visible = files.filter((f) => !f.startsWith('_weir/') && !f.split('/').some((s) => s.startsWith('.') || s.startsWith('_')));
      expect(files.filter((f) => f.split('/').pop()!.startsWith('.'))).toEqual([]); // nothing pending left
      const seen = new Map<string, number>();
      for (const f of visible) {
        expect(f).toMatch(/^orders\/dt=2026-01-0\d\/hour=\d\d\/part-0-\d+-\w+\.jsonl$/);
        for (const line of (await readFile(join(copy, f), 'utf8')).split('\n')) {
          if (!line) continue;
          const r = JSON.parse(line) as { shop: string; ts: number };
          const key = `${r.shop}@${r.ts}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
        }
      }
      // oracle: the generator's 2 x 1,000 records (distinct shop@ts pairs: the splits' shops differ), each exactly once
      const expected = new Set<string>();
      for (let s = 0; s < 2; s++) for (let i = 0; i < 1000; i++) expected.add(`s${(i + s) % 5}@${Date.UTC(2026, 0, 1) + i * 60_000}`);
      expect(expected.size).toBe(2000);
      expect(new Set(seen.keys())).toEqual(expected);
      expect([...seen.values()].filter((n) => n !== 1)).toEqual([]);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  }, 120_000);
});
