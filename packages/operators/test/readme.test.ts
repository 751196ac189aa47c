import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, it } from 'vitest';

// every ```ts block of the README is a complete program that asserts its own output
const readme = await readFile(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const scratch = fileURLToPath(new URL('../.weir-readme/', import.meta.url));
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => ({
  code: m[1]!,
  section: [...readme.slice(0, m.index).matchAll(/^## (.+)$/gm)].pop()?.[1] ?? 'top',
}));

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('README snippets', () => {
  blocks.forEach(({ code, section }, i) => {
    it(`snippet ${i + 1} (${section}) runs and its assertions hold`, async () => {
      await mkdir(scratch, { recursive: true });
      const file = `${scratch}snippet-${i + 1}.ts`;
      await writeFile(file, code);
      await import(/* @vite-ignore */ file);
    });
  });
});
